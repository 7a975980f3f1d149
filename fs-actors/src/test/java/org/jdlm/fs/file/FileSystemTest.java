package org.jdlm.fs.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.fs.file.FileTestKit.run;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.fs.NolockModule;
import org.jdlm.fs.core.BlockState;
import org.jdlm.fs.core.Dinode;
import org.jdlm.fs.core.Errno;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.MemoryBlockDevice;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The file layer on one member over {@code lock_nolock}: operations, errors, the page cache. */
class FileSystemTest {
  private static final int BS = 512;

  private final ActorTestKit testKit = ActorTestKit.create();
  private Kernel kernel;
  private MemoryBlockDevice disk;
  private BlockDevice device;
  private FileSystem fs;

  @BeforeEach
  void mount() throws Exception {
    kernel = FileTestKit.kernel("n1", "jdlm.kernel.memory { total-pages = 4096, page-size = 4096 }");
    disk = new MemoryBlockDevice("sda", BS, 2048);
    device = disk.member("n1");
    FileSystem.mkfs(device, 2, 16, 400);
    fs = FileSystem.mount(testKit.system(), "fs1", kernel, new NolockModule(), 32, device,
        MetadataWriter.direct(device), 0, FileTestKit.fsSettings(""), FileTestKit.fileSettings(""));
  }

  @AfterEach
  void stop() {
    if (fs != null) {
      fs.close();
    }
    testKit.shutdownTestKit();
    kernel.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void createWriteReadAcrossPagesAndAfterDroppingCaches() throws Exception {
    byte[] data = new byte[3 * BS + 100];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    run(kernel, "writer", () -> {
      fs.mkdir("/d");
      fs.create("/d/f");
      FileSystem.Handle h = fs.open("/d/f");
      fs.write(h, 10, data);
      assertThat(fs.read(h, 10, data.length)).isEqualTo(data);
      assertThat(fs.read(h, 0, 10)).as("a hole before the data reads as zeros").isEqualTo(new byte[10]);
      fs.fsync(h);
      fs.close(h);
      return null;
    });
    assertThat(fs.stats().dirtyPages()).isZero();
    run(kernel, "dropper", () -> fs.dropCaches());
    assertThat(fs.stats().cachedPages()).as("drop_caches dropped the clean pages").isZero();
    byte[] back = run(kernel, "reader", () -> {
      FileSystem.Handle h = fs.open("/d/f");
      byte[] r = fs.read(h, 0, 10_000);
      fs.close(h);
      return r;
    });
    assertThat(back).hasSize(10 + data.length);
    assertThat(Arrays.copyOfRange(back, 10, back.length)).as("read back from the disk").isEqualTo(data);
    FileSystem.Stat st = run(kernel, "stat", () -> fs.stat("/d/f"));
    assertThat(st.size()).isEqualTo(10 + data.length);
    assertThat(st.blocks()).isEqualTo(4);
    assertThat(st.mode()).isEqualTo(Dinode.Mode.FILE);
  }

  @Test
  void evictingAnInodeWithDirtyPagesWritesThemBackFirst() throws Exception {
    byte[] data = bytes("not synced, still kept");
    run(kernel, "w", () -> {
      fs.create("/e");
      FileSystem.Handle h = fs.open("/e");
      fs.write(h, 100, data);
      fs.close(h);
      return null;
    });
    assertThat(fs.stats().dirtyPages()).isEqualTo(1);
    run(kernel, "drop", () -> fs.dropCaches());
    assertThat(fs.inodes().stats().inodes()).as("the unused inode was evicted").isZero();
    assertThat(fs.stats().cachedPages()).isZero();
    assertThat(kernel.dumpMemory()).contains("bdi " + fs.bdi() + " dirty=0p");
    byte[] back = run(kernel, "r", () -> {
      FileSystem.Handle h = fs.open("/e");
      byte[] r = fs.read(h, 100, data.length);
      fs.close(h);
      return r;
    });
    assertThat(back).as("read from the disk after the eviction's write back").isEqualTo(data);
  }

  @Test
  void aFencedMemberGetsEioAndIsWithdrawn() throws Exception {
    FileSystem.Handle h = run(kernel, "w", () -> {
      fs.create("/x");
      FileSystem.Handle hh = fs.open("/x");
      fs.write(hh, 0, bytes("data"));
      return hh;
    });
    disk.fence("n1");
    assertErrno(() -> {
      fs.fsync(h);
      return null;
    }, Errno.EIO, "fsync /x: sda block");
    assertErrno(() -> fs.lookup("/x"), Errno.EIO, "lookup /x: fs1 is withdrawn");
  }

  @Test
  void errorsNameThePathAndTheReason() throws Exception {
    run(kernel, "setup", () -> {
      fs.mkdir("/d");
      fs.create("/d/f");
      fs.create("/d/g");
      return null;
    });
    assertErrno(() -> fs.open("/nope"), Errno.ENOENT, "/nope does not exist");
    assertErrno(() -> fs.create("/d/f"), Errno.EEXIST, "create /d/f: exists");
    assertErrno(() -> fs.create("/d/f/x"), Errno.ENOTDIR, "/d/f is not a directory");
    assertErrno(() -> fs.open("/d"), Errno.EISDIR, "open /d: is a directory");
    assertErrno(() -> {
      fs.unlink("/d");
      return null;
    }, Errno.EISDIR, "unlink /d");
    assertErrno(() -> {
      fs.rmdir("/d");
      return null;
    }, Errno.ENOTEMPTY, "rmdir /d: has 2 entries");
    assertErrno(() -> {
      fs.rmdir("/d/f");
      return null;
    }, Errno.ENOTDIR, "rmdir /d/f");
    assertErrno(() -> fs.create("relative"), Errno.EINVAL, "not absolute");
    assertErrno(() -> {
      fs.rename("/d/f", "/d/g");
      return null;
    }, Errno.EEXIST, "/d/g exists");
    assertErrno(() -> {
      fs.rename("/d", "/d/sub");
      return null;
    }, Errno.EINVAL, "below itself");
    assertErrno(() -> {
      FileSystem.Handle h = fs.open("/d/f");
      try {
        fs.write(h, (long) Dinode.pointers(BS) * BS, bytes("x"));
        return null;
      } finally {
        fs.close(h);
      }
    }, Errno.EFBIG, "beyond the largest file");
    assertErrno(() -> {
      FileSystem.Handle h = fs.open("/d/f");
      try {
        return fs.touch(fs.mmap(h), 0, FileSystem.Access.READ);
      } finally {
        fs.close(h);
      }
    }, Errno.EFAULT, "beyond the end of the file");
  }

  private void assertErrno(FileTestKit.FsCall<?> call, Errno errno, String message) {
    assertThatThrownBy(() -> run(kernel, "failing", call)).isInstanceOf(FsException.class)
        .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(errno))
        .hasMessageContaining(message);
  }

  @Test
  void renameAcrossDirectoriesKeepsTheInodeAndItsData() throws Exception {
    long ino = run(kernel, "mv", () -> {
      fs.mkdir("/a");
      fs.mkdir("/b");
      long i = fs.create("/a/f");
      FileSystem.Handle h = fs.open("/a/f");
      fs.write(h, 0, bytes("hello"));
      fs.close(h);
      fs.rename("/a/f", "/b/g");
      return i;
    });
    assertThatThrownBy(() -> run(kernel, "old", () -> fs.lookup("/a/f"))).hasMessageContaining("ENOENT");
    assertThat(run(kernel, "new", () -> fs.lookup("/b/g"))).isEqualTo(ino);
    byte[] r = run(kernel, "read", () -> {
      FileSystem.Handle h = fs.open("/b/g");
      byte[] out = fs.read(h, 0, 100);
      fs.close(h);
      return out;
    });
    assertThat(new String(r, StandardCharsets.UTF_8)).isEqualTo("hello");
  }

  @Test
  void unlinkDeallocatesAtTheLastCloseNotBefore() throws Exception {
    run(kernel, "first", () -> fs.create("/first")); // the root directory gets its first block
    int freeBefore = fs.diskFreeBlocks();
    FileSystem.Handle h = run(kernel, "open", () -> {
      fs.create("/f");
      FileSystem.Handle hh = fs.open("/f");
      fs.write(hh, 0, new byte[2 * BS]);
      fs.fsync(hh);
      return hh;
    });
    long ino = h.ino();
    assertThat(fs.diskFreeBlocks()).isEqualTo(freeBefore - 3);
    run(kernel, "rm", () -> {
      fs.unlink("/f");
      return null;
    });
    assertThat(fs.diskBlockState((int) ino)).as("open: unlinked, not freed").isEqualTo(BlockState.UNLINKED);
    assertThat(fs.stats().deallocations()).isZero();
    assertThat(run(kernel, "read-after-unlink", () -> fs.read(h, 0, 2 * BS))).hasSize(2 * BS);
    run(kernel, "close", () -> {
      fs.close(h);
      return null;
    });
    assertThat(fs.diskBlockState((int) ino)).isEqualTo(BlockState.FREE);
    assertThat(fs.diskFreeBlocks()).isEqualTo(freeBefore);
    assertThat(fs.stats().deallocations()).isEqualTo(1);
  }

  @Test
  void mmapStoreIsReadBackThroughReadAndATaskWaitingForAPageLockShowsIt() throws Exception {
    FileSystem.Handle h = run(kernel, "setup", () -> {
      fs.create("/m");
      FileSystem.Handle hh = fs.open("/m");
      fs.write(hh, 0, new byte[2 * BS]);
      FileSystem.Mapping m = fs.mmap(hh);
      fs.store(m, BS - 2, bytes("abcd"));
      return hh;
    });
    assertThat(new String(run(kernel, "r", () -> fs.read(h, BS - 2, 4)), StandardCharsets.UTF_8)).isEqualTo("abcd");

    // A task holding page 1 of the file (as a fault would) makes a reader of that page wait visibly.
    PageCache.CachedInode ci = pagesOf(h.ino());
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> holder = FileTestKit.start(kernel, "holder", () -> {
      PageCache.Page p = pageCache().lockPage(ci, 1);
      release.join();
      pageCache().unlock(ci, p);
      return null;
    });
    FileTestKit.until("holder owns the page", () -> FileTestKit.task(kernel, "holder") != null
        && ci.pages.get(1) != null && ci.pages.get(1).owner != 0);
    CompletableFuture<byte[]> reader = FileTestKit.start(kernel, "reader", () -> fs.read(h, BS, 4));
    FileTestKit.until("reader waits for the page lock", () -> {
      TaskSnapshot t = FileTestKit.task(kernel, "reader");
      return t != null && t.waitEdge() != null && t.waitEdge().label().startsWith("waits-page-lock");
    });
    TaskSnapshot t = FileTestKit.task(kernel, "reader");
    String page = Long.toHexString(h.ino()) + "/1";
    assertThat(t.waitEdge().label()).isEqualTo("waits-page-lock(" + page + ")");
    assertThat(t.waitEdge().targets()).containsExactly("page:" + page);
    assertThat(reader).isNotDone();
    release.complete(null);
    FileTestKit.join(holder);
    assertThat(new String(FileTestKit.join(reader), StandardCharsets.UTF_8)).isEqualTo("cd\0\0");
    run(kernel, "close", () -> {
      fs.close(h);
      return null;
    });
  }

  @Test
  void dirtyPagesAreChargedToTheFilesystemsBdiAndCleanedByFsync() throws Exception {
    FileSystem.Handle h = run(kernel, "w", () -> {
      fs.create("/d1");
      FileSystem.Handle hh = fs.open("/d1");
      fs.write(hh, 0, new byte[3 * BS]);
      return hh;
    });
    assertThat(fs.stats().dirtyPages()).isEqualTo(3);
    assertThat(kernel.dumpMemory()).contains("bdi " + fs.bdi() + " dirty=3p");
    run(kernel, "sync", () -> {
      fs.fsync(h);
      fs.close(h);
      return null;
    });
    assertThat(fs.stats().dirtyPages()).isZero();
    assertThat(kernel.dumpMemory()).contains("bdi " + fs.bdi() + " dirty=0p");
  }

  @Test
  void enospcWhenTheDiskIsFullAndEveryBlockComesBackAfterUnlink() throws Exception {
    int free = fs.diskFreeBlocks();
    run(kernel, "big", () -> fs.create("/big"));
    assertThat(fs.diskFreeBlocks()).as("a dinode and the root directory's first block").isEqualTo(free - 2);
    // Fill the disk with files of the largest size until it refuses; the failed write gives back what it took.
    int files = run(kernel, "fill", () -> {
      for (int i = 0; ; i++) {
        fs.create("/f" + i);
        FileSystem.Handle h = fs.open("/f" + i);
        try {
          fs.write(h, 0, new byte[Dinode.pointers(BS) * BS]);
        } catch (FsException e) {
          assertThat(e.errno()).isEqualTo(Errno.ENOSPC);
          assertThat(e).hasMessageContaining("write /f" + i + ": " + Dinode.pointers(BS) + " blocks needed");
          return i + 1;
        } finally {
          fs.close(h);
        }
      }
    });
    assertThat(run(kernel, "st", () -> fs.stat("/f" + (files - 1))).blocks()).as("the failed write kept no block").isZero();
    run(kernel, "clean", () -> {
      fs.unlink("/big");
      for (int i = 0; i < files; i++) {
        fs.unlink("/f" + i);
      }
      return null;
    });
    int rootBlocks = run(kernel, "stat", () -> fs.stat("/")).blocks();
    assertThat(fs.diskFreeBlocks()).as("nothing leaked: all free but the root directory's blocks")
        .isEqualTo(free - rootBlocks);
  }

  private PageCache pageCache() {
    return fs.pageCache();
  }

  private PageCache.CachedInode pagesOf(long ino) {
    return pageCache().inode(ino);
  }
}
