package org.jdlm.fs.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.file.FileTestKit.run;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.fs.NolockModule;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.MemoryBlockDevice;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.GfpMask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Page-cache pages come from the kernel's memory and clean ones go back to reclaim, dirty ones never. */
class PageCacheReclaimTest {
  private static final int BS = 512;

  private final ActorTestKit testKit = ActorTestKit.create();
  private Kernel kernel;
  private FileSystem fs;

  @AfterEach
  void stop() {
    if (fs != null) {
      fs.close();
    }
    testKit.shutdownTestKit();
    if (kernel != null) {
      kernel.close();
    }
  }

  @Test
  void aNofsAllocationReclaimsCleanPagesButNeverDirtyOnes() throws Exception {
    kernel = FileTestKit.kernel("n1", """
        jdlm.kernel.memory { total-pages = 96, page-size = 4096, min-pages = 4, low-pages = 6, high-pages = 8 }
        jdlm.kernel.memory.reclaim { max-retries = 3, retry-wait = 20ms }
        """);
    MemoryBlockDevice disk = new MemoryBlockDevice("sda", BS, 1024);
    BlockDevice dev = disk.member("n1");
    FileSystem.mkfs(dev, 1, 8, 400);
    fs = FileSystem.mount(testKit.system(), "fs1", kernel, new NolockModule(), 32, dev, MetadataWriter.direct(dev), 0,
        FileTestKit.fsSettings(""), FileTestKit.fileSettings(""));
    run(kernel, "fill", () -> {
      fs.create("/clean");
      FileSystem.Handle c = fs.open("/clean");
      fs.write(c, 0, new byte[30 * BS]);
      fs.fsync(c);
      fs.close(c);
      fs.create("/dirty");
      FileSystem.Handle d = fs.open("/dirty");
      fs.write(d, 0, new byte[5 * BS]);
      return null;
    });
    assertThat(fs.stats().cachedPages()).isEqualTo(35);
    assertThat(fs.stats().dirtyPages()).isEqualTo(5);

    long want = kernel.memory().freePages() - 4 + 12; // 12 pages more than free above min
    AllocationResult r = run(kernel, "hog", () -> kernel.memory().allocate(want * 4096, GfpMask.NOFS));
    assertThat(r).as("granted after reclaiming clean pages").isInstanceOf(Allocation.class);
    assertThat(fs.stats().cachedPages()).as("clean pages went").isLessThanOrEqualTo(35 - 12);
    assertThat(fs.stats().dirtyPages()).as("dirty pages stay until written back").isEqualTo(5);
    assertThat(kernel.dumpMemory()).contains("shrinker page_cache:fs1");
    ((Allocation) r).close();
  }
}
