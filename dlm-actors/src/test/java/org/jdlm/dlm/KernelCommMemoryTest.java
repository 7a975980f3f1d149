package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.CommMemory;
import org.jdlm.dlm.api.CommSettings;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.ManualClock;
import org.jdlm.kernel.core.TaskFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The actor-context rule of {@link KernelCommMemory} on a bare kernel: hold in order, send on free, never block. */
class KernelCommMemoryTest {
  private static final int PAGE = 4096;
  private final Kernel kernel = Kernel.start("n1", Kernel.Settings.from(ConfigFactory.parseString("""
      jdlm.kernel.memory { total-pages = 100, page-size = 4096, min-pages = 10, low-pages = 20, high-pages = 30 }
      jdlm.kernel.memory.kswapd.enabled = off
      """).withFallback(ConfigFactory.defaultReference()).resolve()), new ManualClock(), false);
  private final List<String> sent = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    kernel.close();
  }

  @Test
  void heldMessagesGoOutInOrderPerDestinationOnceMemoryIsFreed() throws Exception {
    CommMemory.LockspaceComm comm = new KernelCommMemory(kernel).open("fs", new CommSettings(CommSettings.Mask.FS, 0, PAGE));
    Allocation hog = hog(10); // at min: a NOWAIT page would dip below it

    comm.sendFromActor("a", () -> sent.add("a1"));
    comm.sendFromActor("b", () -> sent.add("b1"));
    comm.sendFromActor("a", () -> sent.add("a2"));
    assertThat(sent).isEmpty();
    assertThat(comm.stats().heldNow()).isEqualTo(3);

    hog.close();

    assertThat(sent).containsExactlyInAnyOrder("a1", "a2", "b1");
    assertThat(sent.indexOf("a1")).isLessThan(sent.indexOf("a2"));
    assertThat(comm.stats()).isEqualTo(new CommMemory.CommStats(0, 0, 3, 0, 3));
    assertThat(kernel.memory().freePages()).isEqualTo(100); // every buffer went back after its hand-off
    comm.close();
  }

  @Test
  void theReserveServesRepliesWhenNoPageIsFree() throws Exception {
    CommMemory.LockspaceComm comm = new KernelCommMemory(kernel).open("fs", new CommSettings(CommSettings.Mask.FS, 1, PAGE));
    Allocation hog = hog(0);

    comm.sendFromActor("a", () -> sent.add("a1"));
    comm.sendFromActor("a", () -> sent.add("a2"));

    assertThat(sent).containsExactly("a1", "a2"); // the element came back to the pool after each hand-off
    assertThat(comm.stats().held()).isZero();
    hog.close();
    comm.close();
    assertThat(kernel.memory().freePages()).isEqualTo(100);
  }

  @Test
  void aNonTaskCallerNeverBlocks() {
    CommMemory.LockspaceComm comm = new KernelCommMemory(kernel).open("fs", new CommSettings(CommSettings.Mask.FS, 0, PAGE));
    Allocation hog = hog(0);

    assertThat(comm.takeInCaller()).isNull();
    assertThat(comm.stats().unaccounted()).isEqualTo(1);

    hog.close();
    CommMemory.Buffer buffer = comm.takeInCaller();
    assertThat(buffer).isNotNull();
    assertThat(kernel.memory().freePages()).isEqualTo(99);
    buffer.close();
    assertThat(kernel.memory().freePages()).isEqualTo(100);
    comm.close();
  }

  private Allocation hog(long leaveFree) {
    return take(kernel.memory().freePages() - leaveFree);
  }

  private Allocation take(long pages) {
    CompletableFuture<AllocationResult> r = new CompletableFuture<>();
    kernel.spawn("hog", Set.of(TaskFlag.MEMALLOC), () -> r.complete(kernel.memory().allocate(pages * PAGE, GfpMask.KERNEL)));
    try {
      return (Allocation) r.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
