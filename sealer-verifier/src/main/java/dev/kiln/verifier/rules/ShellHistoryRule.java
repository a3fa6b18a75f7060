package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** shell-history: no command histories of the build. */
final class ShellHistoryRule implements SealingRule {
    private static final List<String> HISTORIES = List.of(".bash_history", ".zsh_history", ".sh_history", ".python_history",
            ".mysql_history", ".psql_history", ".lesshst", ".viminfo", ".wget-hsts");

    @Override
    public String id() {
        return "shell-history";
    }

    @Override
    public String why() {
        return "Histories record what was typed during the build, passwords and tokens on command lines included, and "
                + "every clone would carry them.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String home : image.homes()) {
            for (String history : HISTORIES) {
                if (image.exists(home + "/" + history)) {
                    findings.add(finding(home + "/" + history, "history of the build's sessions"));
                }
            }
        }
        return findings;
    }
}
