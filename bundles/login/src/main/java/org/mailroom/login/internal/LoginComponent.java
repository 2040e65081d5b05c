package org.mailroom.login.internal;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailroom.api.auth.AuthResult;
import org.mailroom.api.auth.Authenticator;
import org.mailroom.api.auth.Credentials;
import org.mailroom.api.auth.LoginService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DS shell around {@link Logins}: the authenticator whiteboard (best ranking per credential type,
 * looked up per attempt), the verification pool and timer, and {@code etc/org.mailroom.login.cfg}.
 * The penalties live here, not in an authentication bundle, so they survive its updates.
 */
@Component(
        service = LoginService.class,
        configurationPid = LoginComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = LoginConfig.class)
public class LoginComponent implements LoginService {

    static final String PID = "org.mailroom.login";
    private static final Logger LOG = LoggerFactory.getLogger(LoginComponent.class);

    /**
     * Named so that etc/org.mailroom.login.cfg can pin one with authenticator.target (an LDAP
     * filter). DS keeps the list sorted as ServiceReference.compareTo does: the highest ranking
     * (then the lowest service id) last.
     */
    @Reference(
            name = "authenticator",
            service = Authenticator.class,
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Map.Entry<Map<String, Object>, Authenticator>> authenticators = List.of();

    private volatile Logins logins;
    private ThreadPoolExecutor verifier;
    private ScheduledThreadPoolExecutor timer;
    private LoginSettings settings;

    @Activate
    void activate(LoginConfig config, Map<String, Object> properties) {
        try {
            settings = LoginSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad login configuration in {}: {}; the login service is not started",
                    file(properties),
                    e.getMessage());
            throw e;
        }
        timer = new ScheduledThreadPoolExecutor(1, threads("mailroom-login-timer"));
        timer.setRemoveOnCancelPolicy(true);
        verifier = new ThreadPoolExecutor(
                settings.verifyThreads(),
                settings.verifyThreads(),
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.verifyQueueLength()),
                threads("mailroom-login-verify"));
        verifier.allowCoreThreadTimeOut(true);
        Penalties penalties = new Penalties(settings);
        timer.scheduleWithFixedDelay(() -> penalties.forgetOld(System.nanoTime()), 1, 1, TimeUnit.MINUTES);
        logins = new Logins(this::authenticator, settings, penalties, verifier, timer, System::nanoTime);
    }

    /**
     * A changed configuration applies to new attempts; the recorded failures are kept (a
     * penalty does not end because an operator edited a file), and so is the pool unless its
     * size changed.
     */
    @Modified
    void modified(LoginConfig config, Map<String, Object> properties) {
        LoginSettings next;
        try {
            next = LoginSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "Bad login configuration in {}: {}; the previous settings stay in force",
                    file(properties),
                    e.getMessage());
            return;
        }
        if (next.verifyThreads() > verifier.getMaximumPoolSize()) {
            verifier.setMaximumPoolSize(next.verifyThreads());
            verifier.setCorePoolSize(next.verifyThreads());
        } else {
            verifier.setCorePoolSize(next.verifyThreads());
            verifier.setMaximumPoolSize(next.verifyThreads());
        }
        if (next.verifyQueueLength() != settings.verifyQueueLength()) {
            LOG.info("Login: verifyQueueLength applies after a restart of the login bundle");
        }
        settings = next;
        logins.configure(next);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        verifier.shutdownNow();
        logins.stop();
    }

    @Override
    public CompletionStage<AuthResult> login(Credentials credentials, InetAddress client, String protocol) {
        return logins.login(credentials, client, protocol);
    }

    @Override
    public CompletionStage<AuthResult> reject(String user, String reason, InetAddress client, String protocol) {
        return logins.reject(user, reason, client, protocol);
    }

    /** The highest-ranked authenticator serving the credential type, or null. */
    Authenticator authenticator(String type) {
        List<Map.Entry<Map<String, Object>, Authenticator>> all = authenticators;
        for (int i = all.size() - 1; i >= 0; i--) {
            if (serves(all.get(i).getKey().get(Authenticator.CREDENTIAL_TYPES), type)) {
                return all.get(i).getValue();
            }
        }
        return null;
    }

    private static boolean serves(Object types, String type) {
        if (types instanceof String s) {
            return s.equalsIgnoreCase(type);
        }
        if (types instanceof String[] array) {
            for (String s : array) {
                if (s.equalsIgnoreCase(type)) {
                    return true;
                }
            }
        }
        if (types instanceof Iterable<?> it) {
            for (Object o : it) {
                if (String.valueOf(o).equalsIgnoreCase(type)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object file(Map<String, Object> properties) {
        return properties.getOrDefault("felix.fileinstall.filename", PID);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
