package dev.kiln.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The unprivileged account the repository's template and playbook run as. A root builder hands the build's own
 * directories to it and enters the sandbox through {@code setpriv}; a builder that is not root is already unprivileged
 * and runs them as itself.
 */
record BuildUser(String name, UserPrincipal user, GroupPrincipal group) {

    /** The account to switch to, or empty when this builder is not root (nothing to drop). */
    static Optional<BuildUser> forBuilder(String name) throws IOException, BuildFailure {
        if (!runningAsRoot()) {
            return Optional.empty();
        }
        UserPrincipalLookupService lookup = Path.of("/").getFileSystem().getUserPrincipalLookupService();
        try {
            return Optional.of(new BuildUser(name, lookup.lookupPrincipalByName(name), lookup.lookupPrincipalByGroupName(name)));
        } catch (UserPrincipalNotFoundException e) {
            throw new BuildFailure("the builder runs as root but its unprivileged build user " + name + " does not exist: "
                    + "./kiln setup creates it (useradd --system --user-group " + name + "), or set kiln.builder.build-user");
        }
    }

    /** setpriv, then the command: the user's own uid, gid and groups (kvm, where the user is in it), nothing of root's. */
    List<String> enter() {
        return List.of("setpriv", "--reuid=" + name, "--regid=" + name, "--init-groups", "--");
    }

    /** Gives the trees the build writes to the build user (their files and directories, not what links point to). */
    void own(Path... trees) throws IOException {
        for (Path tree : trees) {
            try (Stream<Path> paths = Files.walk(tree)) {
                for (Path path : paths.toList()) {
                    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    view.setOwner(user);
                    view.setGroup(group);
                }
            }
        }
    }

    /**
     * The sandbox binds these paths as the build user, who must be able to walk to them: every directory above each
     * must let others pass (o+x). Says which one does not, instead of a sandbox that fails to start.
     */
    void requireReachable(Path... paths) throws IOException, BuildFailure {
        for (Path path : paths) {
            for (Path dir = path.toAbsolutePath().normalize().getParent(); dir != null; dir = dir.getParent()) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                boolean passable = Files.getPosixFilePermissions(dir).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)
                        || Files.getOwner(dir).equals(user);
                if (!passable) {
                    throw new BuildFailure("the build user " + name + " cannot reach " + path + ": " + dir
                            + " does not let others pass (chmod o+x " + dir + ", or move kiln's directories below one that does)");
                }
            }
        }
    }

    private static boolean runningAsRoot() throws IOException {
        // /proc/self belongs to the process's effective uid.
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }
}
