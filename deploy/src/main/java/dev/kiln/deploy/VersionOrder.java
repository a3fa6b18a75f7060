package dev.kiln.deploy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders version strings as people read them: runs of digits by value, the rest by text, so 0.10.0 is newer than
 * 0.9.1 and 1.0.0 newer than 1.0.0-rc1 (a pre-release suffix sorts before the release).
 */
final class VersionOrder implements Comparator<String> {
    static final VersionOrder INSTANCE = new VersionOrder();

    @Override
    public int compare(String a, String b) {
        List<String> x = tokens(a);
        List<String> y = tokens(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            String p = x.get(i);
            String q = y.get(i);
            boolean pd = Character.isDigit(p.charAt(0));
            boolean qd = Character.isDigit(q.charAt(0));
            int c;
            if (pd && qd) {
                String ps = p.replaceFirst("^0+(?=.)", "");
                String qs = q.replaceFirst("^0+(?=.)", "");
                c = ps.length() != qs.length() ? Integer.compare(ps.length(), qs.length()) : ps.compareTo(qs);
            } else if (p.equals("-") != q.equals("-")) {
                // 1.0.0-rc1 against 1.0.0.1 or 1.0.0+x: a pre-release comes first
                c = p.equals("-") ? -1 : 1;
            } else {
                c = p.compareTo(q);
            }
            if (c != 0) {
                return c;
            }
        }
        if (x.size() == y.size()) {
            return 0;
        }
        // One is a prefix of the other: a longer one that goes on with a pre-release ("-rc1") is older.
        List<String> longer = x.size() > y.size() ? x : y;
        int sign = x.size() > y.size() ? 1 : -1;
        return longer.get(Math.min(x.size(), y.size())).equals("-") ? -sign : sign;
    }

    private static List<String> tokens(String version) {
        List<String> tokens = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (char ch : version.toCharArray()) {
            if (ch == '.' || ch == '-' || ch == '+' || ch == '_') {
                if (!run.isEmpty()) {
                    tokens.add(run.toString());
                    run.setLength(0);
                }
                if (ch == '-') {
                    tokens.add("-");
                }
                continue;
            }
            if (!run.isEmpty() && Character.isDigit(run.charAt(run.length() - 1)) != Character.isDigit(ch)) {
                tokens.add(run.toString());
                run.setLength(0);
            }
            run.append(ch);
        }
        if (!run.isEmpty()) {
            tokens.add(run.toString());
        }
        return tokens;
    }
}
