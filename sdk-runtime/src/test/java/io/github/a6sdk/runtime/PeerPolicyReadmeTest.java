package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.security.Accounts;
import io.github.a6sdk.runtime.security.PeerPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Security" section: every setting it shows is accepted by the runner and does what
 * the section says, and its sample lines are what the runner prints. (Its shared-group command runs
 * in {@link PeerAllowListProtocolTest}.)
 */
class PeerPolicyReadmeTest {
    private static final Pattern SETTING = Pattern.compile("`(A6_[A-Z_]+)=([^`\\s]+)`");

    static String section() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("\n## Security\n");
        assertTrue(start >= 0, "README has a Security section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end);
    }

    private static String after(String text, String marker) {
        int at = text.indexOf(marker);
        assertTrue(at >= 0, "README Security section has " + marker);
        return text.substring(at + marker.length());
    }

    private static RunnerConfig config(String name, String value) {
        Map<String, String> env = new HashMap<>(Map.of("APISIX_LISTEN_ADDRESS", "unix:/tmp/readme.sock"));
        env.put(name, value);
        return RunnerConfig.fromEnvironment(env);
    }

    @Test
    void everySettingTheSectionShowsIsAcceptedOnThisMachine() throws IOException {
        String text = section();
        String error = after(text, "<!-- PeerPolicyReadmeTest: the start error -->");
        List<String> settings = new ArrayList<>();
        Matcher m = SETTING.matcher(text.substring(0, text.length() - error.length()));
        while (m.find()) {
            settings.add(m.group(1) + "=" + m.group(2));
            RunnerConfig c = config(m.group(1), m.group(2));
            switch (m.group(1)) {
                case "A6_SOCKET_MODE":
                    assertEquals(Integer.parseInt(m.group(2), 8), c.socketMode());
                    break;
                case "A6_ALLOWED_PEERS":
                    assertTrue(c.allowedPeers().restricted(), m.group());
                    break;
                default:
                    throw new AssertionError("the Security section shows an unexpected setting " + m.group());
            }
        }
        assertTrue(settings.containsAll(List.of("A6_SOCKET_MODE=0700", "A6_ALLOWED_PEERS=user:nobody", "A6_SOCKET_MODE=0760")),
                settings.toString());
    }

    @Test
    void userNobodyAllowsNobodyWhateverItsGroupAndNoOtherUser() {
        long nobody = Accounts.system().uid("nobody");
        assertTrue(nobody >= 0, "this machine has no user nobody in /etc/passwd");
        PeerPolicy p = config("A6_ALLOWED_PEERS", "user:nobody").allowedPeers();
        assertTrue(p.allows(new io.github.a6sdk.runtime.security.PeerCredentials(nobody, 4242, null, null)));
        assertFalse(p.allows(new io.github.a6sdk.runtime.security.PeerCredentials(4242, nobody, null, null)));
    }

    @Test
    void theStartErrorIsTheRunnersOwnLine() throws IOException {
        String line = after(section(), "<!-- PeerPolicyReadmeTest: the start error -->").trim();
        line = line.substring(1, line.indexOf('`', 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config("A6_ALLOWED_PEERS", "user:nobdy"));
        assertEquals("a6 runner: " + e.getMessage(), line, "Main prints \"a6 runner: \" and the message");
    }

    @Test
    void theStartLinesShownAreTheRunnersOwn() throws IOException {
        String text = section();
        Accounts accounts = Accounts.parse("root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n", "");
        assertTrue(text.contains("`peers: " + PeerPolicy.parse("user:nobody", accounts, 0).describe() + "`"), text);
        assertTrue(text.contains("`peers: " + PeerPolicy.anyone().describe() + "`"), text);
    }

    @Test
    void theEnvsSnippetListsTheVariablesTheSectionSets() throws IOException {
        String yaml = after(section(), "<!-- PeerPolicyReadmeTest: envs -->");
        int open = yaml.indexOf("```yaml\n") + 8;
        yaml = yaml.substring(open, yaml.indexOf("\n```", open));
        assertEquals("nginx_config:\n  envs: [A6_ALLOWED_PEERS, A6_SOCKET_MODE]", yaml.replaceAll("\\s+#.*", ""));
    }
}
