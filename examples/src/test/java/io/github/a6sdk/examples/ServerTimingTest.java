package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.ResponseOutcome;
import io.github.a6sdk.testkit.TestRequest;
import io.github.a6sdk.testkit.TestUpstream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServerTimingTest {
    static final Pattern DUR = Pattern.compile("a6;dur=(\\d+\\.\\d)");

    /** The milliseconds of the {@code a6} entry. */
    static double dur(String header) {
        Matcher m = DUR.matcher(header);
        assertTrue(m.matches(), header);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void postRespAddsTheTimeSincePreReq() throws Exception {
        PluginChain preReq = PluginChain.of(new ServerTiming_Descriptor(), "");
        PluginChain postResp = PluginChain.of(new ServerTiming_Descriptor(), "");
        TestRequest req = TestRequest.get("/orders");
        long before = System.nanoTime();
        preReq.request(req).assertPassed(); // nothing reaches the upstream: no header, no rewrite
        Thread.sleep(30);
        ResponseOutcome out = postResp.response(TestUpstream.ok().header("Server-Timing", "db;dur=2").request(req));
        double outer = (System.nanoTime() - before) / 1e6;
        List<String> timings = out.headerValues("Server-Timing");
        assertEquals("db;dur=2", timings.get(0), "the upstream's entry is kept");
        double ms = dur(timings.get(1));
        assertTrue(ms >= 30 && ms <= outer + 0.1, ms + " ms, between the 30 ms slept and the " + outer + " ms measured around");
    }

    @Test
    void aResponseWhoseRequestNotedNothingGetsNoHeader() {
        ResponseOutcome out = PluginChain.of(new ServerTiming_Descriptor(), "")
                .response(TestUpstream.ok().request(TestRequest.get("/")));
        assertNull(out.header("Server-Timing"));
        assertTrue(out.isUnchanged(), "no header added, nothing sent back");
    }

    @Test
    void eachRequestHasItsOwnStart() throws Exception {
        PluginChain chain = PluginChain.of(new ServerTiming_Descriptor(), "");
        TestRequest slow = TestRequest.get("/slow");
        chain.request(slow).assertPassed();
        Thread.sleep(40);
        TestRequest fast = TestRequest.get("/fast");
        long fastStart = System.nanoTime();
        chain.request(fast).assertPassed();
        double fastDur = dur(chain.response(TestUpstream.ok().request(fast)).header("Server-Timing"));
        double fastOuter = (System.nanoTime() - fastStart) / 1e6;
        double slowDur = dur(chain.response(TestUpstream.ok().request(slow)).header("Server-Timing"));
        assertTrue(fastDur <= fastOuter + 0.1, fastDur + " <= " + fastOuter);
        assertTrue(slowDur >= 40, slowDur + " >= 40");
        assertTrue(new ServerTiming_Descriptor().requestState());
    }
}
