package dev.kiln.events;

import java.util.Map;

/**
 * What an image was made from, so that the same tag can be rebuilt and compared.
 *
 * @param commit          the tagged commit
 * @param tag             the release tag
 * @param upstreamUrl     where the upstream image came from
 * @param upstreamSha256  its pinned, verified digest
 * @param tools           tool name to version (packer, ansible, qemu-img)
 * @param sourceDateEpoch the commit time in seconds, used as SOURCE_DATE_EPOCH
 */
public record Provenance(String commit, String tag, String upstreamUrl, String upstreamSha256,
                         Map<String, String> tools, long sourceDateEpoch) {
    public Provenance {
        Require.commitSha(commit, "commit");
        Require.text(tag, "tag");
        Require.text(upstreamUrl, "upstreamUrl");
        Require.sha256(upstreamSha256, "upstreamSha256");
        tools = Map.copyOf(Require.present(tools, "tools"));
        Require.positive(sourceDateEpoch, "sourceDateEpoch");
    }
}
