package dev.kiln.builder;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a Packer template builds, read from {@code packer inspect} (Packer's own parser, not a text search): the
 * variables it declares, its sources, provisioners and post-processors. kiln runs a template only when it builds from
 * QEMU sources, provisions only with Ansible (which runs kiln's playbook) and has no post-processor, since those run
 * on the builder host.
 */
record TemplatePlan(List<String> variables, List<String> sources, List<String> provisioners, List<String> postProcessors) {
    static TemplatePlan of(List<String> inspectOutput) {
        List<String> variables = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<String> provisioners = new ArrayList<>();
        List<String> postProcessors = new ArrayList<>();
        List<String> section = null;
        for (String raw : inspectOutput) {
            String line = raw.strip();
            switch (line) {
                case "> input-variables:" -> section = variables;
                case "sources:" -> section = sources;
                case "provisioners:" -> section = provisioners;
                case "post-processors:" -> section = postProcessors;
                default -> {
                    if (line.startsWith(">")) {
                        section = null;
                    } else if (section == variables) {
                        // "var.output_dir: \"<unknown>\"": the name is what comes before the first colon.
                        if (line.startsWith("var.") && line.indexOf(':') > 4) {
                            variables.add(line.substring(4, line.indexOf(':')));
                        }
                    } else if (section != null && !line.isEmpty() && !line.startsWith("<no ")) {
                        section.add(line);
                    }
                }
            }
        }
        return new TemplatePlan(variables, sources, provisioners, postProcessors);
    }

    /** Why kiln will not run the template, if it will not. */
    static Optional<String> refusal(List<String> inspectOutput) {
        TemplatePlan plan = of(inspectOutput);
        if (plan.sources().isEmpty()) {
            return Optional.of("packer inspect shows no source; the template must build from a qemu source");
        }
        for (String source : plan.sources()) {
            if (!source.startsWith("qemu.")) {
                return Optional.of("source " + source + " is not a qemu source; kiln builds with Packer's qemu builder");
            }
        }
        for (String provisioner : plan.provisioners()) {
            if (!provisioner.equals("ansible")) {
                return Optional.of("provisioner '" + provisioner + "' is not allowed: provision with the ansible provisioner "
                        + "running var.playbook_file (kiln's playbook runs yours); shell-local and the like run on the builder host");
            }
        }
        if (plan.provisioners().isEmpty()) {
            return Optional.of("the template has no ansible provisioner, so kiln's seal and stamp would not run");
        }
        if (!plan.postProcessors().isEmpty()) {
            return Optional.of("post-processors " + plan.postProcessors() + " are not allowed: they run on the builder host; "
                    + "kiln converts and stores the image itself");
        }
        return Optional.empty();
    }
}
