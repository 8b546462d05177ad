package io.github.a6sdk.benchmarks.load;

import io.github.api7.A6.HTTPReqCall.Resp;
import io.github.api7.A6.HTTPReqCall.Rewrite;
import io.github.api7.A6.HTTPReqCall.Stop;
import io.github.api7.A6.TextEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One benchmark plugin configuration and the reply it must produce (the README table of
 * shared/baseline/official-runner). A reply that differs is an error, never a data point.
 */
final class Scenario {
    enum Expect { PASS, SAY, REWRITE, VARS, RESPMOD, FAIL }

    final String name;
    final List<String[]> conf;
    final boolean responsePhase;
    final Expect expect;

    private Scenario(String name, List<String[]> conf, boolean responsePhase, Expect expect) {
        this.name = name;
        this.conf = conf;
        this.responsePhase = responsePhase;
        this.expect = expect;
    }

    static final String SAY_BODY = "hello";

    static Scenario of(String name) {
        switch (name) {
            case "noop":
                return chain(1);
            case "say":
                return new Scenario(name, one("say", "{\"body\":\"" + SAY_BODY + "\"}"), false, Expect.SAY);
            case "rewrite":
                return new Scenario(name, one("rewrite", "{\"path\":\"/x\",\"header_name\":\"X-A\",\"header_value\":\"1\"}"),
                        false, Expect.REWRITE);
            case "vars":
                return new Scenario(name, one("vars", ""), false, Expect.VARS);
            case "respmod":
                return new Scenario(name, one("respmod", "{\"header_name\":\"X-B\",\"header_value\":\"2\"}"), true,
                        Expect.RESPMOD);
            case "sleep":
                return new Scenario(name, one("sleep", "{\"ms\":200}"), false, Expect.PASS);
            case "sleep20":
                return new Scenario(name, one("sleep", "{\"ms\":20}"), false, Expect.PASS);
            case "throw":
                return new Scenario(name, one("throw", ""), false, Expect.FAIL);
            default:
                if (name.startsWith("chain")) {
                    return chain(Integer.parseInt(name.substring(5)));
                }
                throw new IllegalArgumentException("unknown scenario " + name);
        }
    }

    /** {@code n} noop plugins in one conf. */
    static Scenario chain(int n) {
        List<String[]> conf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            conf.add(new String[] {"noop", ""});
        }
        return new Scenario(n == 1 ? "noop" : "chain" + n, Collections.unmodifiableList(conf), false, Expect.PASS);
    }

    private static List<String[]> one(String plugin, String value) {
        return List.<String[]>of(new String[] {plugin, value});
    }

    /** Per-connection reusable readers. */
    static final class Checker {
        private final Resp resp = new Resp();
        private final Stop stop = new Stop();
        private final Rewrite rewrite = new Rewrite();
        private final io.github.api7.A6.HTTPRespCall.Resp respCall = new io.github.api7.A6.HTTPRespCall.Resp();
        private final TextEntry entry = new TextEntry();
        private final byte[] varsBody;

        Checker(String remoteAddr, int bodyBytes) {
            this.varsBody = (remoteAddr + ":" + bodyBytes).getBytes(StandardCharsets.UTF_8);
        }

        /** {@code null} when the reply is right, otherwise what is wrong. */
        String check(Scenario s, int type, ByteBuffer p, long id) {
            if (s.expect == Expect.FAIL) {
                return type == Wire.ERROR ? null : "expected an error frame, got type " + type;
            }
            if (s.responsePhase) {
                if (type != Wire.HTTP_RESP_CALL) {
                    return "expected HTTPRespCall reply, got type " + type + Wire.describeError(type, p);
                }
                io.github.api7.A6.HTTPRespCall.Resp r = io.github.api7.A6.HTTPRespCall.Resp.getRootAsResp(p, respCall);
                if (r.id() != id) {
                    return "reply id " + r.id() + " != request id " + id;
                }
                if (r.status() != 299) {
                    return "respmod: status " + r.status() + " != 299";
                }
                for (int i = 0, n = r.headersLength(); i < n; i++) {
                    TextEntry e = r.headers(entry, i);
                    if ("X-B".equalsIgnoreCase(e.name()) && "2".equals(e.value())) {
                        return null;
                    }
                }
                return "respmod: no X-B: 2 header";
            }
            if (type != Wire.HTTP_REQ_CALL) {
                return "expected HTTPReqCall reply, got type " + type + Wire.describeError(type, p);
            }
            Resp r = Resp.getRootAsResp(p, resp);
            if (r.id() != id) {
                return "reply id " + r.id() + " != request id " + id;
            }
            int action = r.actionType();
            switch (s.expect) {
                case PASS:
                    return action == 0 ? null : "expected no action, got action " + action;
                case SAY:
                case VARS: {
                    if (action != 1) {
                        return "expected Stop, got action " + action;
                    }
                    Stop st = (Stop) r.action(stop);
                    if (st.status() != 200 && st.status() != 0) {
                        return "Stop status " + st.status();
                    }
                    byte[] want = s.expect == Expect.SAY ? Wire.utf8(SAY_BODY) : varsBody;
                    ByteBuffer body = st.bodyAsByteBuffer();
                    if (body == null || !body.equals(ByteBuffer.wrap(want))) {
                        return "Stop body differs (want " + new String(want, StandardCharsets.UTF_8) + ")";
                    }
                    if (s.expect == Expect.SAY && !has(st, "X-Resp-A6-Runner", "Java")) {
                        return "say: no X-Resp-A6-Runner: Java header";
                    }
                    return null;
                }
                case REWRITE: {
                    if (action != 2) {
                        return "expected Rewrite, got action " + action;
                    }
                    Rewrite rw = (Rewrite) r.action(rewrite);
                    if (!"/x".equals(rw.path())) {
                        return "Rewrite path " + rw.path();
                    }
                    for (int i = 0, n = rw.headersLength(); i < n; i++) {
                        TextEntry e = rw.headers(entry, i);
                        if ("X-A".equalsIgnoreCase(e.name()) && "1".equals(e.value())) {
                            return null;
                        }
                    }
                    return "Rewrite without header X-A: 1";
                }
                default:
                    return "unexpected expectation";
            }
        }

        private boolean has(Stop st, String name, String value) {
            for (int i = 0, n = st.headersLength(); i < n; i++) {
                TextEntry e = st.headers(entry, i);
                if (name.equalsIgnoreCase(e.name()) && value.equals(e.value())) {
                    return true;
                }
            }
            return false;
        }
    }
}
