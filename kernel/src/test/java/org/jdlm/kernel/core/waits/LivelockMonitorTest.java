package org.jdlm.kernel.core.waits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdlm.kernel.core.waits.LivelockMonitor.Counter;
import org.jdlm.kernel.core.waits.LivelockMonitor.Operation;
import org.jdlm.kernel.core.waits.LivelockMonitor.Role;
import org.junit.jupiter.api.Test;

/** The progress monitor: sampled counters over a 5 s window, one sample per second. */
class LivelockMonitorTest {
  private static final long S = 1_000_000_000L;

  /** §5.1 FS form: allocation retries and unlock messages queued rise, nothing is sent, free memory flat. */
  private static final Operation A_FS = new Operation("comm-alloc", List.of(
      new Counter("alloc_retries", Role.ACTIVITY),
      new Counter("inodes_evicted", Role.COMPLETION),
      new Counter("unlock_msgs_queued", Role.ACTIVITY),
      new Counter("unlock_msgs_sent", Role.COMPLETION),
      new Counter("free_pages", Role.GAUGE)),
      "alloc(comm buffer) -> direct reclaim -> evict ino 0x805b -> final glock put -> dlm_unlock -> alloc(comm buffer)");

  private static LivelockMonitor monitor(Operation... ops) {
    return new LivelockMonitor("n1", new LivelockMonitor.Settings(5 * S, 100, 1000), List.of(ops), new ReportIds("a"));
  }

  private static Map<String, Long> a(long retries, long evicted, long queued, long sent, long free) {
    return Map.of("alloc_retries", retries, "inodes_evicted", evicted, "unlock_msgs_queued", queued,
        "unlock_msgs_sent", sent, "free_pages", free);
  }

  /** Feeds samples at 0 s, 1 s, ...; returns all report texts. */
  private static List<String> run(LivelockMonitor m, List<Map<String, Long>> samples) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      m.sample(i * S, samples.get(i)).forEach(r -> out.add(r.text()));
    }
    return out;
  }

  private static List<Map<String, Long>> rising(int seconds, long retriesPerSecond, long queuedPerSecond, long sentPerSecond) {
    List<Map<String, Long>> l = new ArrayList<>();
    for (int i = 0; i < seconds; i++) {
      l.add(a(1000 + i * retriesPerSecond, 7, 10 + i * queuedPerSecond, 3 + i * sentPerSecond, 12));
    }
    return l;
  }

  @Test
  void busyWithNoCompletionForAWholeWindowIsReportedOnce() {
    List<String> reports = run(monitor(A_FS), rising(9, 800, 100, 0));
    assertThat(reports).containsExactly("""
        LIVELOCK-SUSPECT id=a-1 at=n1 window=5s
          loop: alloc(comm buffer) -> direct reclaim -> evict ino 0x805b -> final glock put -> dlm_unlock -> alloc(comm buffer)
          counters: alloc_retries=4000 inodes_evicted=0 unlock_msgs_queued=500 unlock_msgs_sent=0 free_pages=flat
        """);
  }

  @Test
  void table() {
    record Row(String what, List<Map<String, Long>> samples, int reports) {}
    List<Map<String, Long>> oneSend = rising(9, 800, 100, 0);
    oneSend.set(7, a(1000 + 7 * 800, 7, 10 + 7 * 100, 4, 12));
    oneSend.set(8, a(1000 + 8 * 800, 7, 10 + 8 * 100, 4, 12));
    List<Map<String, Long>> twoEpisodes = rising(6, 800, 100, 0);
    twoEpisodes.add(a(9000, 7, 700, 4, 12));
    for (int i = 0; i < 6; i++) {
      twoEpisodes.add(a(10000 + i * 800, 7, 800 + i * 100, 4, 12));
    }
    List<Map<String, Long>> restart = rising(4, 800, 100, 0);
    restart.addAll(rising(4, 800, 100, 0));
    List<Map<String, Long>> gaugeMoves = rising(6, 800, 100, 0);
    gaugeMoves.set(3, a(1000 + 3 * 800, 7, 310, 3, 40));
    List<Row> rows = List.of(
        new Row("shorter than a window: silent", rising(5, 800, 100, 0), 0),
        new Row("a whole window busy, nothing completed", rising(6, 800, 100, 0), 1),
        new Row("idle: below min-activity", rising(9, 10, 5, 0), 0),
        new Row("busy and completing", rising(9, 800, 100, 1), 0),
        new Row("one completion in the window silences, and no second report while it stays in the window", oneSend, 1),
        new Row("episode ends with a completion, a new one is reported", twoEpisodes, 2),
        new Row("counters restarted (member restart): history dropped, window starts again", restart, 0),
        new Row("a gauge moving does not matter", gaugeMoves, 1));
    for (Row row : rows) {
      assertThat(run(monitor(A_FS), row.samples())).as(row.what()).hasSize(row.reports());
    }
  }

  @Test
  void aGaugeThatMovedPrintsItsChangeAndALoopIsDerivedWhenNotGiven() {
    Operation op = new Operation("nfsd-write", List.of(new Counter("throttles", Role.ACTIVITY),
        new Counter("alloc_retries", Role.ACTIVITY), new Counter("writes_completed", Role.COMPLETION),
        new Counter("free_pages", Role.GAUGE)), "");
    LivelockMonitor m = new LivelockMonitor("n2", new LivelockMonitor.Settings(5 * S, 100, 1000), List.of(op),
        new ReportIds("c"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i <= 5; i++) {
      m.sample(i * S, Map.of("throttles", 100L * i, "alloc_retries", 0L, "writes_completed", 9L, "free_pages", 50L - i))
          .forEach(r -> out.add(r.text()));
    }
    assertThat(out).containsExactly("""
        LIVELOCK-SUSPECT id=c-1 at=n2 window=5s
          loop: throttles -> throttles
          counters: throttles=500 alloc_retries=0 writes_completed=0 free_pages=-5
        """);
  }

  /** §5.3's livelock variant, with the loop the NFS layer knows and its counters. */
  @Test
  void loopBackNfsThrottlingPrintsTheGivenLoop() {
    Operation op = new Operation("nfsd-write", List.of(new Counter("nfsd_throttles", Role.ACTIVITY),
        new Counter("write_rpcs_completed", Role.COMPLETION), new Counter("client_writeback_pages", Role.GAUGE)),
        "nfsd alloc -> throttled(bdi nfs-client: writeback=98%) -> client writeback needs nfsd");
    LivelockMonitor m = new LivelockMonitor("n2", new LivelockMonitor.Settings(5 * S, 100, 1000), List.of(op),
        new ReportIds("c"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i <= 5; i++) {
      m.sample(i * S, Map.of("nfsd_throttles", 40L * i, "write_rpcs_completed", 17L, "client_writeback_pages", 980L))
          .forEach(r -> out.add(r.text()));
    }
    assertThat(out).containsExactly("""
        LIVELOCK-SUSPECT id=c-1 at=n2 window=5s
          loop: nfsd alloc -> throttled(bdi nfs-client: writeback=98%) -> client writeback needs nfsd
          counters: nfsd_throttles=200 write_rpcs_completed=0 client_writeback_pages=flat
        """);
  }

  @Test
  void thinningKeepsTheWindowCovered() {
    LivelockMonitor m = new LivelockMonitor("n1", new LivelockMonitor.Settings(5 * S, 100, 3), List.of(A_FS),
        new ReportIds("a"));
    List<String> out = new ArrayList<>();
    for (int i = 0; i <= 50; i++) {
      m.sample(i * S / 10, a(1000 + i * 100L, 7, 10, 3, 12)).forEach(r -> out.add(r.text()));
    }
    assertThat(out).hasSize(1);
    assertThat(out.get(0)).contains("alloc_retries=5000 ");
  }

  @Test
  void badSamplesAreFeedingBugs() {
    LivelockMonitor m = monitor(A_FS);
    assertThatThrownBy(() -> m.sample(0, Map.of("alloc_retries", 1L)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks counter inodes_evicted");
    m.sample(5 * S, a(0, 0, 0, 0, 0));
    assertThatThrownBy(() -> m.sample(4 * S, a(0, 0, 0, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("older than the previous one");
    assertThatThrownBy(() -> new Operation("x", List.of(new Counter("y", Role.ACTIVITY)), ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("completion counter");
    assertThatThrownBy(() -> new LivelockMonitor.Settings(0, 1, 2)).hasMessageContaining("window must be positive");
  }

  @Test
  void durationsPrintWholeSecondsOrMilliseconds() {
    assertThat(LivelockMonitor.duration(5 * S)).isEqualTo("5s");
    assertThat(LivelockMonitor.duration(S / 2)).isEqualTo("500ms");
  }
}
