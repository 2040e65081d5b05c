package org.mailroom.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.Assume;

/**
 * A real peer from Debian that a test drives (curl, doveadm, testssl, ...). Without it the test
 * is skipped on a developer's machine and fails when the {@code CI} environment variable is set,
 * since CI installs every peer: a missing install step must not pass as a skipped test.
 */
public final class RequiredTool {

    private RequiredTool() {}

    /**
     * @param executable a name looked up on the PATH (or an absolute path)
     * @param debianPackage the package that provides it, for the message
     * @return the executable's path
     */
    public static Path require(String executable, String debianPackage) {
        Path found = find(executable);
        if (found == null && System.getenv("CI") != null) {
            throw new AssertionError(executable + " is required in CI (apt-get install " + debianPackage + ")");
        }
        Assume.assumeTrue(executable + " is not installed (apt-get install " + debianPackage + ")", found != null);
        return found;
    }

    /** The executable's path, or null when it is not installed. */
    public static Path find(String executable) {
        Path direct = Paths.get(executable);
        if (direct.isAbsolute()) {
            return Files.isExecutable(direct) ? direct : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Paths.get(dir, executable);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
