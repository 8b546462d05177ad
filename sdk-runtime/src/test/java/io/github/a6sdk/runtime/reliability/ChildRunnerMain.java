package io.github.a6sdk.runtime.reliability;

import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A runner process for lifecycle tests and the soak: {@link Main#serve} with hand-written plugins.
 * Started as {@code java -cp <test class path> io.github.a6sdk.runtime.reliability.ChildRunnerMain}
 * with {@code APISIX_LISTEN_ADDRESS} set.
 *
 * <ul>
 *   <li>{@code echo}: Stop 200 with the config as body;
 *   <li>{@code slow}: asks for variable {@code started} (so a client knows it runs), sleeps the
 *       config's milliseconds, then Stop 200 "slow-done";
 *   <li>{@code rewrite}: rewrites path, a header and an arg;
 *   <li>{@code vars}: reads two variables and the body by ExtraInfo, Stop 200 with them;
 *   <li>{@code resp}: response phase, reads the upstream body and replaces it, sets a header;
 *   <li>{@code counted}: has a start hook and closes. Start fails with setting {@code fail}
 *       ({@code A6_PLUGIN_COUNTED_FAIL}) as an IOException's message when it is set. Each call
 *       sleeps the config's milliseconds, then Stop 200 "counted". Close logs
 *       {@code closed: calls in flight 0, calls completed N} on the plugin's logger;
 *   <li>{@code stuck}: closes by sleeping setting {@code close-ms} ({@code A6_PLUGIN_STUCK_CLOSE_MS},
 *       default 0).
 *   <li>{@code hog}: with config {@code grab}, opens {@code /dev/null} until the process has no
 *       descriptor left and keeps them; with {@code free}, closes them. Stop 200 with the count.
 * </ul>
 *
 * With {@code A6_TEST_BIND_GATE} set to a file name, the runner binds its socket only once that file
 * exists (a start that takes exactly as long as a test wants).
 */
public final class ChildRunnerMain {
    private ChildRunnerMain() {}

    public static void main(String[] args) {
        TestPlugin echo = TestPlugin.request("echo", (config, request, response) -> {
            response.setStatus(200);
            response.setBody(config.getBytes(StandardCharsets.UTF_8));
        });
        TestPlugin slow = TestPlugin.request("slow", (config, request, response) -> {
            request.var("started");
            Thread.sleep(Long.parseLong(config));
            response.setStatus(200);
            response.setBody("slow-done".getBytes(StandardCharsets.UTF_8));
        });
        TestPlugin rewrite = TestPlugin.request("rewrite", (config, request, response) -> {
            request.setPath("/rewritten" + request.path());
            request.headers().set("x-user", "u-" + request.headers().get("x-id"));
            request.args().set("seen", "1");
        });
        TestPlugin vars = TestPlugin.request("vars", (config, request, response) -> {
            String addr = request.var("remote_addr");
            String route = request.var("route_id");
            byte[] body = request.body();
            response.setStatus(200);
            response.setBody((addr + "|" + route + "|" + (body == null ? 0 : body.length)).getBytes(StandardCharsets.UTF_8));
        }).prefetch(false, false, "remote_addr");
        TestPlugin resp = new TestPlugin("resp", null, (config, response) -> {
            byte[] upstream = response.body();
            response.headers().set("x-resp", "1");
            response.setBody(("wrapped:" + (upstream == null ? 0 : upstream.length)).getBytes(StandardCharsets.UTF_8));
        });
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicReference<System.Logger> log = new AtomicReference<>();
        TestPlugin counted = TestPlugin.request("counted", (config, request, response) -> {
            inFlight.incrementAndGet();
            try {
                Thread.sleep(Long.parseLong(config));
            } finally {
                inFlight.decrementAndGet();
            }
            completed.incrementAndGet();
            response.setStatus(200);
            response.setBody("counted".getBytes(StandardCharsets.UTF_8));
        }).lifecycle(context -> {
            log.set(context.logger());
            Optional<String> fail = context.setting("fail");
            if (fail.isPresent()) {
                throw new IOException(fail.get());
            }
        }, () -> log.get().log(System.Logger.Level.INFO, "closed: calls in flight " + inFlight.get()
                + ", calls completed " + completed.get()));
        AtomicLong closeMillis = new AtomicLong();
        TestPlugin stuck = TestPlugin.request("stuck", (config, request, response) -> {})
                .lifecycle(context -> closeMillis.set(context.intSetting("close-ms", 0, 0, 60_000)),
                        () -> Thread.sleep(closeMillis.get()));
        List<java.io.FileInputStream> hoard = new java.util.ArrayList<>();
        TestPlugin hog = TestPlugin.request("hog", (config, request, response) -> {
            synchronized (hoard) {
                if (config.equals("grab")) {
                    try {
                        while (true) {
                            hoard.add(new java.io.FileInputStream("/dev/null"));
                        }
                    } catch (IOException tooManyOpenFiles) {
                        // all taken
                    }
                } else {
                    for (java.io.FileInputStream f : hoard) {
                        f.close();
                    }
                    hoard.clear();
                }
                response.setStatus(200);
                response.setBody(String.valueOf(hoard.size()).getBytes(StandardCharsets.UTF_8));
            }
        });
        String gate = System.getenv("A6_TEST_BIND_GATE");
        Transport transport = gate == null ? new JdkUnixTransport() : new GatedTransport(new JdkUnixTransport(), Path.of(gate));
        System.exit(Main.serve(transport, TestPlugin.catalog(echo, slow, rewrite, vars, resp, counted, stuck, hog)));
    }

    /** Binds once a file exists. */
    private record GatedTransport(Transport inner, Path gate) implements Transport {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Listener listen(Path path) throws IOException {
            while (!Files.exists(gate)) {
                try {
                    Thread.sleep(0, 200_000);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return inner.listen(path);
        }
    }
}
