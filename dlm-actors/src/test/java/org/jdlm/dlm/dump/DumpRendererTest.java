package org.jdlm.dlm.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DumpRendererTest {

  static LockspaceDump sample() {
    var granted = new LockspaceDump.QueuedLock(0x1a, "127.0.0.1:2551", "PR", "IV", List.of());
    var converting = new LockspaceDump.QueuedLock(0x2, "127.0.0.1:2552", "PR", "EX", List.of("CONVDEADLK"));
    var waiting = new LockspaceDump.QueuedLock(0x3, "127.0.0.1:2553", "IV", "EX", List.of("NOQUEUEBAST", "VALBLK"));
    var resource = new LockspaceDump.ResourceDump("R1", "127.0.0.1:2551", "127.0.0.1:2552", List.of(granted),
        List.of(converting), List.of(waiting), "68690000", 3, true);
    var owned = new LockspaceDump.OwnedLock(0x1a, "R1", "127.0.0.1:2551", "GRANTED", "PR", "IV", List.of("VALBLK"),
        "6869", "2/7");
    return new LockspaceDump("fs1", "127.0.0.1:2551", "running", 2, List.of("127.0.0.1:2551", "127.0.0.1:2552"),
        List.of(resource), List.of(owned), List.of());
  }

  @Test
  void memberDumpPrintsHeaderQueuesValueBlockAndHeldLocks() {
    assertThat(DumpRenderer.render(sample())).isEqualTo("""
        Lockspace fs1 node 127.0.0.1:2551 state running generation 2 members 127.0.0.1:2551,127.0.0.1:2552
        Resource "R1" Master:127.0.0.1:2551 Dir:127.0.0.1:2552
        LVB: 68690000 seq 3 VALNOTVALID
        Granted
        0000001a PR -- Owner: 127.0.0.1:2551 flags -
        Convert
        00000002 PR (EX) Owner: 127.0.0.1:2552 flags CONVDEADLK
        Waiting
        00000003 IV (EX) Owner: 127.0.0.1:2553 flags NOQUEUEBAST,VALBLK
        Locks held by 127.0.0.1:2551 (1)
        0000001a GRANTED gr PR rq IV master 127.0.0.1:2551 resource "R1" flags VALBLK token 2/7 lvb 6869
        """);
  }

  @Test
  void clusterDumpPrintsEachResourceOnceUnderAllHeaders() {
    LockspaceDump a = sample();
    LockspaceDump b = new LockspaceDump("fs1", "127.0.0.1:2552", "running", 2, a.members(), List.of(), List.of(),
        List.of());
    String text = DumpRenderer.renderCluster(List.of(b, a));
    assertThat(text.lines().filter(l -> l.startsWith("Lockspace "))).hasSize(2);
    assertThat(text.lines().filter(l -> l.startsWith("Resource "))).hasSize(1);
    assertThat(text.indexOf("node 127.0.0.1:2551")).isLessThan(text.indexOf("node 127.0.0.1:2552"));
  }
}
