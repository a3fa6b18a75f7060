package dev.kiln.tagwatcher;

import dev.kiln.events.KilnFile;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One watched repository through JGit: a local repository is read in place; a remote one (file://, http(s)://,
 * ssh://) through a bare mirror that each scan fetches, pruning deleted tags and forcing moved ones, so the
 * mirror shows exactly what the remote has now.
 */
final class GitSource implements AutoCloseable {
    private static final long MAX_KILN_YAML_BYTES = 1 << 20;
    private static final int TIMEOUT_SECONDS = 30;

    static {
        // The first time JGit checks whether a file it read has changed, it measures the file system's timestamp
        // resolution (once per user and machine, then kept in ~/.config/jgit/config), and by default the caller waits:
        // on a new machine the first webhook's scan took 3.3 s instead of a few hundred ms (./kiln bench). Measured in
        // the background, the scan goes on with JGit's cautious defaults (2 s) until the measurement is in.
        FS.FileStoreAttributes.setBackground(true);
    }

    private final Repository repository;

    private GitSource(Repository repository) {
        this.repository = repository;
    }

    static GitSource open(WatchedRepository config, Path mirrors) throws IOException, GitAPIException {
        String url = config.url();
        if (!url.contains("://")) {
            return new GitSource(openLocal(Path.of(url)));
        }
        Path mirror = mirrors.resolve(config.name() + ".git");
        if (!Files.exists(mirror.resolve("HEAD"))) {
            Files.createDirectories(mirrors);
            Git.cloneRepository().setURI(url).setGitDir(mirror.toFile()).setBare(true).setMirror(true)
                    .setCredentialsProvider(credentials(config)).setTransportConfigCallback(ssh(config))
                    .setTimeout(TIMEOUT_SECONDS).call().close();
        }
        Repository repository = openLocal(mirror);
        try (Git git = new Git(repository)) {
            git.fetch().setRemote(url)
                    .setRefSpecs(new RefSpec("+refs/tags/*:refs/tags/*"))
                    .setRemoveDeletedRefs(true)
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setTimeout(TIMEOUT_SECONDS)
                    .setCredentialsProvider(credentials(config)).setTransportConfigCallback(ssh(config))
                    .call();
        } catch (GitAPIException | RuntimeException e) {
            repository.close();
            throw e;
        }
        return new GitSource(repository);
    }

    List<SeenTag> tags() throws IOException {
        List<SeenTag> tags = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repository)) {
            for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                RevObject target = walk.parseAny(ref.getObjectId());
                String tagObject = null;
                PersonIdent tagger = null;
                if (target instanceof RevTag tag) {
                    tagObject = tag.getId().name();
                    tagger = tag.getTaggerIdent();
                }
                RevObject peeled = walk.peel(target);
                if (!(peeled instanceof RevCommit commit)) {
                    continue; // a tag of a tree or blob names no build
                }
                walk.parseHeaders(commit);
                PersonIdent who = tagger != null ? tagger : commit.getCommitterIdent();
                String person = who.getName().isBlank() ? "<" + who.getEmailAddress() + ">" : who.getName() + " <" + who.getEmailAddress() + ">";
                tags.add(new SeenTag(ref.getName().substring(Constants.R_TAGS.length()), commit.getId().name(), tagObject,
                        person, commit.getCommitTime()));
            }
        }
        return tags;
    }

    /** A file's text at a commit, when it is there. */
    Optional<String> read(String commit, String path) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit));
            try (TreeWalk tree = TreeWalk.forPath(repository, path, revCommit.getTree())) {
                if (tree == null) {
                    return Optional.empty();
                }
                org.eclipse.jgit.lib.FileMode mode = tree.getFileMode(0);
                if (mode != org.eclipse.jgit.lib.FileMode.REGULAR_FILE && mode != org.eclipse.jgit.lib.FileMode.EXECUTABLE_FILE) {
                    // A link's target is a host path to the reader; a tree or submodule is no file at all.
                    throw new KilnFile.InvalidKilnFile(path + " at commit " + commit + " is not a regular file (a symbolic link,"
                            + " directory or submodule); commit the file itself");
                }
                ObjectLoader loader = repository.open(tree.getObjectId(0));
                if (loader.getSize() > MAX_KILN_YAML_BYTES) {
                    // This tag's problem alone: refused, while the repository's other tags go on.
                    throw new KilnFile.InvalidKilnFile(path + " at commit " + commit + " is " + loader.getSize()
                            + " bytes; at most " + MAX_KILN_YAML_BYTES + " are read");
                }
                return Optional.of(new String(loader.getBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public void close() {
        repository.close();
    }

    private static Repository openLocal(Path path) throws IOException {
        File dir = path.toFile();
        if (!dir.isDirectory()) {
            throw new IOException("no repository at " + path);
        }
        FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
        File dotGit = new File(dir, Constants.DOT_GIT);
        builder.setGitDir(dotGit.isDirectory() ? dotGit : dir);
        return builder.build();
    }

    private static UsernamePasswordCredentialsProvider credentials(WatchedRepository config) {
        return config.username().map(user -> new UsernamePasswordCredentialsProvider(user, config.password().orElse("")))
                .orElse(null);
    }

    private static TransportConfigCallback ssh(WatchedRepository config) {
        return transport -> {
            if (transport instanceof SshTransport sshTransport && config.sshKey().isPresent()) {
                Path home = Path.of(System.getProperty("user.home"));
                sshTransport.setSshSessionFactory(new SshdSessionFactoryBuilder()
                        .setHomeDirectory(home.toFile())
                        .setSshDirectory(home.resolve(".ssh").toFile())
                        .setDefaultIdentities(dir -> List.of(config.sshKey().get()))
                        .build(null));
            }
        };
    }
}
