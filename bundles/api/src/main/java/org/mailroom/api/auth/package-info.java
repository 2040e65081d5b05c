/**
 * Authentication: {@link org.mailroom.api.auth.LoginService} (the login path protocols call,
 * implemented by Mailroom), and what authentication modules implement:
 * {@link org.mailroom.api.auth.Authenticator}, {@link org.mailroom.api.auth.Credentials},
 * {@link org.mailroom.api.auth.PasswordScheme}, {@link org.mailroom.api.auth.UserDirectory}.
 *
 * <p>Compatibility: interfaces marked {@code @ProviderType} may gain methods in a minor version;
 * {@code @ConsumerType} interfaces and the records ({@link org.mailroom.api.auth.AuthResult},
 * {@link org.mailroom.api.auth.PasswordCredentials}, {@link org.mailroom.api.auth.BearerCredentials}
 * since 1.3) change only with a major version. A record
 * never gains, loses or reorders a component in a minor version; new factory methods may appear.
 */
@Version("1.3.0")
@Export
package org.mailroom.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
