package dev.kiln.verifier.rules;

import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the image's sshd will use, read as sshd reads it: /etc/ssh/sshd_config and every file its {@code Include}
 * lines name (globs, relative to /etc/ssh), in order, inside the image. Keys found inside {@code Match} blocks count
 * too: they apply to someone. Where the configuration says nothing, sshd's defaults.
 */
public final class SshdConfig {
    static final List<String> DEFAULT_HOST_KEYS = List.of("/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key");
    static final List<String> DEFAULT_AUTHORIZED_KEYS = List.of(".ssh/authorized_keys", ".ssh/authorized_keys2");
    private static final int MAX_DEPTH = 16;

    private final Set<String> hostKeys = new LinkedHashSet<>();
    private final Set<String> authorizedKeysFiles = new LinkedHashSet<>();
    private final Set<String> read = new LinkedHashSet<>();

    private SshdConfig() {
    }

    public static SshdConfig of(ImageTree image) throws IOException {
        SshdConfig config = new SshdConfig();
        config.read(image, "/etc/ssh/sshd_config", 0);
        return config;
    }

    /** Every HostKey (and HostCertificate) file; sshd's defaults when none is named. */
    public List<String> hostKeys() {
        return hostKeys.isEmpty() ? DEFAULT_HOST_KEYS : List.copyOf(hostKeys);
    }

    /** AuthorizedKeysFile patterns (%h, %u, %U, %%; relative ones under the home); sshd's defaults when none is named. */
    public List<String> authorizedKeysFiles() {
        return authorizedKeysFiles.isEmpty() ? DEFAULT_AUTHORIZED_KEYS : List.copyOf(authorizedKeysFiles);
    }

    /** The configuration files that were read, in order. */
    public List<String> files() {
        return List.copyOf(read);
    }

    /** An AuthorizedKeysFile pattern for one account, as an image path; null for {@code none}. */
    static String expand(String pattern, ImageTree.Account account) {
        if (pattern.equalsIgnoreCase("none")) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '%' && i + 1 < pattern.length()) {
                char t = pattern.charAt(++i);
                out.append(switch (t) {
                    case 'h' -> account.home();
                    case 'u' -> account.name();
                    case 'U' -> Integer.toString(account.uid());
                    case '%' -> "%";
                    default -> "%" + t;
                });
            } else {
                out.append(c);
            }
        }
        String path = out.toString();
        return path.startsWith("/") ? path : account.home() + "/" + path;
    }

    private void read(ImageTree image, String file, int depth) throws IOException {
        if (depth > MAX_DEPTH || !read.add(file)) {
            return;
        }
        for (String raw : image.read(file).orElse("").split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("[\\s=]+", 2);
            if (words.length < 2) {
                continue;
            }
            String keyword = words[0].toLowerCase(Locale.ROOT);
            List<String> values = values(words[1]);
            switch (keyword) {
                case "hostkey", "hostcertificate" -> values.stream().limit(1).forEach(hostKeys::add);
                case "authorizedkeysfile" -> authorizedKeysFiles.addAll(values);
                case "include" -> {
                    for (String pattern : values) {
                        for (String included : glob(image, pattern.startsWith("/") ? pattern : "/etc/ssh/" + pattern)) {
                            read(image, included, depth + 1);
                        }
                    }
                }
                default -> { }
            }
        }
    }

    private static List<String> values(String text) {
        List<String> values = new ArrayList<>();
        for (String value : text.strip().split("\\s+")) {
            if (!value.isEmpty()) {
                values.add(value.replace("\"", ""));
            }
        }
        return values;
    }

    /** Files matching a glob in its last component, sorted as sshd sorts them. */
    private static List<String> glob(ImageTree image, String pattern) throws IOException {
        int slash = pattern.lastIndexOf('/');
        String dir = slash <= 0 ? "/" : pattern.substring(0, slash);
        String name = pattern.substring(slash + 1);
        if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
            return List.of(pattern);
        }
        return image.list(dir).stream().filter(p -> globMatches(name, p.substring(p.lastIndexOf('/') + 1))).sorted().toList();
    }

    /**
     * Whether {@code name} matches the glob(3) pattern as sshd reads Include: {@code *}, {@code ?} and {@code [...]}
     * (with {@code !} or {@code ^} to negate, and ranges); anything else, an unclosed {@code [} included, is itself.
     * Matched directly, in time proportional to the pattern times the name, never through a regular expression: fuzzing
     * found that Java's glob throws on "Include [" (the verifier retried forever) and that a regular expression made
     * from "**...*x" backtracks for hours.
     */
    static boolean globMatches(String glob, String name) {
        int g = 0;
        int n = 0;
        int star = -1;
        int starName = 0;
        while (n < name.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                starName = n;
                continue;
            }
            if (g < glob.length()) {
                char c = glob.charAt(g);
                int close = classEnd(glob, g);
                boolean one = close > 0 ? inClass(glob, g, close, name.charAt(n)) : c == '?' || c == name.charAt(n);
                if (one) {
                    g = close > 0 ? close + 1 : g + 1;
                    n++;
                    continue;
                }
            }
            if (star < 0) {
                return false;
            }
            // Let the last star take one more character and try again from there.
            g = star + 1;
            n = ++starName;
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    /** Where the character class that opens at {@code at} closes, or -1 when there is none (then '[' is itself). */
    private static int classEnd(String glob, int at) {
        if (glob.charAt(at) != '[') {
            return -1;
        }
        int from = at + 1;
        if (from < glob.length() && (glob.charAt(from) == '!' || glob.charAt(from) == '^')) {
            from++;
        }
        // A ']' right after the opening is a member, as in glob(3).
        int close = from < glob.length() ? glob.indexOf(']', from + 1) : -1;
        return close;
    }

    private static boolean inClass(String glob, int open, int close, char c) {
        int from = open + 1;
        boolean negated = glob.charAt(from) == '!' || glob.charAt(from) == '^';
        if (negated) {
            from++;
        }
        boolean member = false;
        for (int k = from; k < close; k++) {
            char m = glob.charAt(k);
            if (k + 2 < close && glob.charAt(k + 1) == '-') {
                member |= m <= c && c <= glob.charAt(k + 2);
                k += 2;
            } else {
                member |= m == c;
            }
        }
        return member != negated;
    }
}
