package org.mailroom.auth.oauth2.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.BearerCredentials;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.UserDirectory;
import org.mailroom.filter.daemon.CfgValues;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies OAuth 2.0 bearer tokens (from OAUTHBEARER and XOAUTH2) with the configured issuers.
 * Settings in {@code etc/org.mailroom.auth.oauth2.cfg} ({@link BearerSettings}).
 */
@Component(
        configurationPid = BearerSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Authenticator.CREDENTIAL_TYPES + "=" + BearerCredentials.TYPE)
public final class OAuth2Authenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(OAuth2Authenticator.class);

    private final List<Issuer> issuers = new CopyOnWriteArrayList<>();
    private final List<UserDirectory> directories = new CopyOnWriteArrayList<>();
    private volatile BearerSettings settings = BearerSettings.DEFAULTS;
    private final TokenAuthenticator tokens = new TokenAuthenticator(() -> List.copyOf(issuers), this::known);

    @Reference(
            service = Issuer.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIssuer(Issuer issuer) {
        issuers.add(issuer);
    }

    void unbindIssuer(Issuer issuer) {
        issuers.remove(issuer);
    }

    @Reference(
            service = UserDirectory.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDirectory(UserDirectory directory) {
        directories.add(directory);
    }

    void unbindDirectory(UserDirectory directory) {
        directories.remove(directory);
    }

    @Activate
    void activate(Map<String, Object> properties) {
        settings = CfgValues.required(properties, BearerSettings.PID, "OAuth2 authentication", BearerSettings::of);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        CfgValues.changed(properties, BearerSettings.PID, BearerSettings::of).ifPresent(s -> {
            settings = s;
            LOG.info("OAuth2 authentication: {}", s);
        });
    }

    @Override
    public AuthResult authenticate(Credentials credentials) {
        if (!(credentials instanceof BearerCredentials token)) {
            return AuthResult.invalid(credentials.user(), "not a bearer token");
        }
        return tokens.authenticate(token);
    }

    private Boolean known(String user) {
        if (!settings.requireLocalUser()) {
            return true;
        }
        List<UserDirectory> all = List.copyOf(directories);
        if (all.isEmpty()) {
            return null;
        }
        return all.stream().anyMatch(directory -> directory.exists(user));
    }
}
