package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** net-hwaddr: no network configuration bound to the build machine's MAC address. */
final class NetHwaddrRule implements SealingRule {
    private static final List<String> CONFIG_DIRS = List.of("/etc/network", "/etc/netplan", "/etc/NetworkManager/system-connections",
            "/etc/systemd/network", "/etc/sysconfig/network-scripts");
    private static final Pattern PINNED_MAC = Pattern.compile(
            "(?im)^\\s*(hwaddress\\s+(ether\\s+)?|HWADDR\\s*=|MACADDR\\s*=|macaddress\\s*:|mac-address\\s*=|cloned-mac-address\\s*=|MACAddress\\s*=)\\s*\"?([0-9a-f]{2}(:[0-9a-f]{2}){5})");
    private static final Pattern UDEV_MAC = Pattern.compile("(?i)ATTRS?\\{address}\\s*==\\s*\"([0-9a-f:]{17})\"");

    @Override
    public String id() {
        return "net-hwaddr";
    }

    @Override
    public String why() {
        return "A clone gets a new MAC address. Configuration pinned to the build machine's MAC (ifupdown hwaddress, netplan "
                + "macaddress, NetworkManager mac-address, networkd MACAddress, sysconfig HWADDR, udev persistent-net rules) "
                + "leaves the clone with no network or a renamed interface.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String dir : CONFIG_DIRS) {
            for (String file : image.filesUnder(dir)) {
                Matcher m = PINNED_MAC.matcher(image.read(file).orElse(""));
                while (m.find()) {
                    findings.add(finding(file, "pins MAC address " + m.group(3) + " (" + m.group(1).trim() + ")"));
                }
            }
        }
        for (String file : image.filesUnder("/etc/udev/rules.d")) {
            if (file.contains("persistent-net")) {
                Matcher m = UDEV_MAC.matcher(image.read(file).orElse(""));
                while (m.find()) {
                    findings.add(finding(file, "udev rule binds an interface name to MAC address " + m.group(1)));
                }
            }
        }
        return findings;
    }
}
