package org.jdlm.kernel.core.waits;

import static org.jdlm.kernel.core.EdgeKind.DLM_UNLOCK;
import static org.jdlm.kernel.core.EdgeKind.FINAL_PUT;
import static org.jdlm.kernel.core.EdgeKind.HELD_BY;
import static org.jdlm.kernel.core.EdgeKind.RECLAIMS_VIA;
import static org.jdlm.kernel.core.EdgeKind.RUN_BY;
import static org.jdlm.kernel.core.EdgeKind.WAITS_DLM_GRANT;
import static org.jdlm.kernel.core.EdgeKind.WAITS_DLM_RUNNING;
import static org.jdlm.kernel.core.EdgeKind.WAITS_FENCING;
import static org.jdlm.kernel.core.EdgeKind.WAITS_GLOCK;
import static org.jdlm.kernel.core.EdgeKind.WAITS_MEMORY;
import static org.jdlm.kernel.core.EdgeKind.WAITS_PAGE_LOCK;
import static org.jdlm.kernel.core.EdgeKind.WAITS_REPLY;

import java.util.List;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;

/**
 * The graphs of fs-cycles §5.1–§5.5 as their "Detector print"s show them, built through the
 * {@link FactSink} API the layers will use. Times are detector-clock nanoseconds; every scenario
 * is detected at {@link #NOW}. Variants flip one fact so negative controls share the shape.
 */
final class CycleFixtures {
  static final long S = 1_000_000_000L;
  static final long NOW = 3 * S;

  private CycleFixtures() {}

  static Vertex v(String name) {
    return Vertex.parse(name);
  }

  static Edge e(String from, EdgeKind kind, String arg, String to) {
    return new Edge(v(from), v(to), kind, arg, "");
  }

  static Edge e(String from, EdgeKind kind, String arg, String note, String to) {
    return new Edge(v(from), v(to), kind, arg, note);
  }

  /** §5.1 kswapd form; {@code secondSourceFree}: another reclaimer runs (negative control). */
  static WaitGraph a1(boolean secondSourceFree) {
    WaitGraph.Builder b = WaitGraph.builder();
    b.edge(e("n1/task:kswapd0", RECLAIMS_VIA, "super_cache_scan", "n1/inode:0x805b"))
        .waitingSince(v("n1/task:kswapd0"), 1 * S)
        .state(v("n1/inode:0x805b"), "I_FREEING")
        .edge(e("n1/inode:0x805b", FINAL_PUT, "", "n1/glock:2/805b"))
        .state(v("n1/glock:2/805b"), "UN r:0 dead")
        .edge(e("n1/glock:2/805b", DLM_UNLOCK, "lkb 0001004c", "n1/dlm-comm:to-n2"))
        .state(v("n1/dlm-comm:to-n2"), "q=1 buf=0")
        .edge(e("n1/dlm-comm:to-n2", WAITS_MEMORY, "4KiB,GFP_NOFS", "n1/mem"))
        .state(v("n1/mem"), secondSourceFree ? "free<min; sources: kswapd0, dd#12" : "free<min; sources: kswapd0");
    b.providers(v("n1/mem"), secondSourceFree
        ? List.of(v("n1/task:kswapd0"), v("n1/task:dd#12")) : List.of(v("n1/task:kswapd0")));
    b.vertex(v("n1/task:dd#12"));
    return b.build();
  }

  /** §5.2 b1: the fence agent reclaims in its own context. {@code reserve}: F-b3, its allocation is served. */
  static WaitGraph b1(boolean reserve) {
    WaitGraph.Builder b = WaitGraph.builder();
    Vertex agent = v("n1/task:fence_agent#4242");
    if (!reserve) {
      b.edge(e("n1/task:fence_agent#4242", WAITS_MEMORY, "256KiB,GFP_KERNEL", "n1/mem")).waitingSince(agent, 0);
    }
    b.state(v("n1/mem"), "free<min").join(v("n1/mem"), Join.OR)
        .edge(e("n1/mem", RECLAIMS_VIA, "super_cache_scan", "n1/inode:0x1a2b"))
        .state(v("n1/inode:0x1a2b"), "I_FREEING nlink=0 dealloc")
        .edge(e("n1/inode:0x1a2b", WAITS_GLOCK, "EX", "n1/glock:2/1a2b"))
        .state(v("n1/glock:2/1a2b"), "UN t:EX")
        .edge(e("n1/glock:2/1a2b", WAITS_DLM_RUNNING, "", "dlm/ls:gfs2fs"))
        .state(v("dlm/ls:gfs2fs"), "STOPPED gen 7")
        .edge(e("dlm/ls:gfs2fs", WAITS_FENCING, "n3", "n1/fence:n3"))
        .state(v("n1/fence:n3"), "actor=n1 agent=#4242")
        .edge(e("n1/fence:n3", RUN_BY, "", "n1/task:fence_agent#4242"))
        .edge(e("n2/task:cp#88", WAITS_DLM_RUNNING, "", "dlm/ls:gfs2fs")).waitingSince(v("n2/task:cp#88"), S)
        .edge(e("n2/dlm_controld", WAITS_FENCING, "n3", "n1/fence:n3"));
    return b.build();
  }

  /**
   * §5.2 b2: the agent waits on memory; every reclaimer (kswapd, dd#12) is blocked in an eviction
   * that waits for the stopped lockspace. {@code oneReclaimerFree}: dd#12's eviction is not blocked.
   */
  static WaitGraph b2(boolean oneReclaimerFree) {
    WaitGraph.Builder b = WaitGraph.builder();
    b.edge(e("n1/task:fence_agent#4242", WAITS_MEMORY, "256KiB,GFP_KERNEL", "n1/mem"))
        .waitingSince(v("n1/task:fence_agent#4242"), 0)
        .state(v("n1/mem"), "free<min")
        .providers(v("n1/mem"), List.of(v("n1/task:kswapd0"), v("n1/task:dd#12")))
        .edge(e("n1/task:kswapd0", RECLAIMS_VIA, "super_cache_scan", "n1/inode:0x1a2c"))
        .waitingSince(v("n1/task:kswapd0"), S)
        .state(v("n1/inode:0x1a2c"), "I_FREEING")
        .edge(e("n1/inode:0x1a2c", FINAL_PUT, "", "n1/glock:2/1a2c"))
        .edge(e("n1/glock:2/1a2c", DLM_UNLOCK, "lkb 00010050", "dlm/ls:gfs2fs"))
        .state(v("dlm/ls:gfs2fs"), "STOPPED gen 7")
        .edge(e("dlm/ls:gfs2fs", WAITS_FENCING, "n3", "n1/fence:n3"))
        .state(v("n1/fence:n3"), "actor=n1 agent=#4242")
        .edge(e("n1/fence:n3", RUN_BY, "", "n1/task:fence_agent#4242"));
    if (oneReclaimerFree) {
      b.vertex(v("n1/task:dd#12"));
    } else {
      b.edge(e("n1/task:dd#12", RECLAIMS_VIA, "super_cache_scan", "n1/inode:0x1a2d"))
          .waitingSince(v("n1/task:dd#12"), S)
          .edge(e("n1/inode:0x1a2d", WAITS_GLOCK, "EX", "n1/glock:2/1a2d"))
          .edge(e("n1/glock:2/1a2d", WAITS_DLM_RUNNING, "", "dlm/ls:gfs2fs"));
    }
    return b.build();
  }

  /** §5.3 with K=4 nfsd threads, all waiting on memory; {@code spareWorker}: a fifth one is idle. */
  static WaitGraph c1(boolean spareWorker) {
    WaitGraph.Builder b = WaitGraph.builder();
    int k = spareWorker ? 5 : 4;
    b.state(v("n2/nfsd-pool"), "busy=" + (k - (spareWorker ? 1 : 0)) + "/" + k).join(v("n2/nfsd-pool"), Join.OR);
    for (int i = 0; i < k; i++) {
      Vertex nfsd = v("n2/task:nfsd#" + i);
      b.edge(new Edge(v("n2/nfsd-pool"), nfsd, EdgeKind.ALL_WORKERS, "", ""));
      if (i < 4) {
        b.edge(new Edge(nfsd, v("n2/mem"), WAITS_MEMORY, "4KiB,GFP_KERNEL", ""))
            // nfsd#3 has waited longest: the print starts there.
            .waitingSince(nfsd, (10 - i) * S / 10);
      }
    }
    b.join(v("n2/mem"), Join.OR)
        .edge(e("n2/mem", RECLAIMS_VIA, "nfs_release_page", "n2/nfs-client:page 0x9f/12"))
        .state(v("n2/nfs-client:page 0x9f/12"), "writeback")
        .edge(e("n2/nfs-client:page 0x9f/12", WAITS_REPLY, "WRITE xid 0x51", "n2/nfsd-pool"));
    return b.build();
  }

  /** §5.4: cross-node mmap ABBA on glocks F and H. {@code sorted}: F-d1, P2 asks F before holding H. */
  static WaitGraph d1(boolean sorted) {
    WaitGraph.Builder b = WaitGraph.builder();
    b.edge(e("n1/task:P1", WAITS_GLOCK, "EX", "(fault on H@b1+0x3000)", "glock:2/h"))
        .waitingSince(v("n1/task:P1"), S)
        .state(v("glock:2/h"), sorted ? "unlocked" : "n2 holds SH")
        .edge(e("n2/task:P2", WAITS_GLOCK, "EX", "(fault on F@b2+0x1000)", "glock:2/f"))
        .waitingSince(v("n2/task:P2"), 2 * S)
        .state(v("glock:2/f"), "n1 holds SH")
        .edge(e("glock:2/f", HELD_BY, "", "(read(F) holder)", "n1/task:P1"));
    if (!sorted) {
      b.edge(e("glock:2/h", HELD_BY, "", "(read(H) holder)", "n2/task:P2"));
    }
    return b.build();
  }

  /** §5.5: page lock vs glock inversion on n1 with W on n2 waiting. {@code truncatedPage}: F-e2, U drops P. */
  static WaitGraph e1(boolean truncatedPage) {
    WaitGraph.Builder b = WaitGraph.builder();
    b.edge(e("n1/task:U", WAITS_GLOCK, "PR", "[lock blocked: downconvert in progress]", "n1/downconvert:ino 0x77"))
        .waitingSince(v("n1/task:U"), S);
    if (!truncatedPage) {
      b.edge(e("n1/downconvert:ino 0x77", WAITS_PAGE_LOCK, "ino 0x77 idx 5", "n1/task:U"));
    }
    b.edge(e("n2/task:W", WAITS_DLM_GRANT, "EX", "n1/downconvert:ino 0x77")).waitingSince(v("n2/task:W"), 0);
    return b.build();
  }
}
