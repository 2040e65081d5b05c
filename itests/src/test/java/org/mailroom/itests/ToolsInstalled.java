package org.mailroom.itests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.AssumptionViolatedException;
import org.junit.runner.Description;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;
import org.mailroom.testing.RequiredTool;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * Runs a Pax Exam class when every executable its {@link Require} annotation names is installed.
 * Otherwise it fails the class when the environment variable CI is set (CI installs them) and
 * reports every test as skipped without booting the container. The check runs in the test JVM
 * because Pax Exam reports an assumption that fails inside the container (org.junit.Assume) as
 * a pass. Used by every class that drives real peers (RealClientsIT, SmtpClientsIT).
 */
public final class ToolsInstalled extends PaxExam {

    /** The executables (looked up on the PATH, then in /usr/sbin) and the Debian packages that provide them. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Require {
        String[] tools();

        String[] packages();
    }

    private final Class<?> testClass;

    public ToolsInstalled(Class<?> testClass) throws InitializationError {
        super(testClass);
        this.testClass = testClass;
    }

    @Override
    public void run(RunNotifier notifier) {
        Require require = testClass.getAnnotation(Require.class);
        if (require == null) {
            notifier.fireTestFailure(
                    new Failure(getDescription(), new AssertionError(testClass + " has no @ToolsInstalled.Require")));
            return;
        }
        List<String> missing =
                Arrays.stream(require.tools()).filter(t -> find(t) == null).collect(Collectors.toList());
        if (missing.isEmpty()) {
            super.run(notifier);
            return;
        }
        String message =
                "not installed: " + missing + " (apt-get install " + String.join(" ", require.packages()) + ")";
        if (System.getenv("CI") != null) {
            notifier.fireTestFailure(new Failure(
                    getDescription(), new AssertionError(message + ", and CI is set: CI must install them")));
            return;
        }
        for (Description test : getDescription().getChildren()) {
            notifier.fireTestStarted(test);
            notifier.fireTestAssumptionFailed(new Failure(test, new AssumptionViolatedException(message)));
            notifier.fireTestFinished(test);
        }
    }

    /**
     * The executable's absolute path (PATH, then /usr/sbin, /usr/bin, /bin), or null. Only for the
     * test JVM: this class extends PaxExam, which the container does not have.
     */
    private static String find(String name) {
        java.nio.file.Path found = RequiredTool.find(name);
        if (found == null) {
            for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/bin", "/sbin"}) {
                found = RequiredTool.find(dir + "/" + name);
                if (found != null) {
                    break;
                }
            }
        }
        return found == null ? null : found.toAbsolutePath().toString();
    }
}
