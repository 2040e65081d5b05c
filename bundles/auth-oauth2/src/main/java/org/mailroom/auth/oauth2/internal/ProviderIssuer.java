package org.mailroom.auth.oauth2.internal;

import java.time.Clock;

/** What both kinds of issuer hold: settings, HTTP to the provider, its discovery document, the token rules. */
abstract class ProviderIssuer implements Issuer {

    final IssuerSettings settings;
    final ProviderHttp http;
    final Clock clock;
    final Discovery discovery;
    final TokenRules rules;

    ProviderIssuer(IssuerSettings settings, ProviderHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
        this.discovery = new Discovery(settings, http, clock);
        this.rules = new TokenRules(settings, clock);
    }

    @Override
    public IssuerSettings settings() {
        return settings;
    }
}
