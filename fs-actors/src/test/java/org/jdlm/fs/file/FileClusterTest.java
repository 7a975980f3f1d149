package org.jdlm.fs.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.file.FileTestKit.run;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.fs.DlmLockModule;
import org.jdlm.fs.core.BlockState;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.MemoryBlockDevice;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.kernel.Kernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The file layer on three in-process members over the real DLM, each with its own kernel, on one
 * shared {@link MemoryBlockDevice}: coherence through the inode glock, and deallocation of an
 * unlinked inode at the last close cluster-wide.
 *
 * <p>Coherence runs {@code jdlm.fs.seeds} seeded random interleavings (default 3) of reads, writes,
 * mmap stores and mmap loads by the three members on the same files; after every step a whole-file
 * read on a random member must equal the model (CRC32). A failure prints the seed and the steps;
 * {@code -Djdlm.fs.seed=N} replays that seed alone, {@code -Djdlm.fs.steps=N} changes the length.
 */
class FileClusterTest {
  private static final int MEMBERS = 3;
  private static final int BS = 512;
  private static final int FILES = 3;

  private static InprocCluster cluster;
  private static MemoryBlockDevice disk;
  private static final List<Kernel> kernels = new ArrayList<>();
  private static final List<FileSystem> fss = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = InprocCluster.start(MEMBERS, "fsc", LockspaceSettings.defaults(), ConfigFactory.empty());
    disk = new MemoryBlockDevice("shared", BS, 4096);
    FileSystem.mkfs(disk.member("n0"), MEMBERS, 16, 400);
    for (int i = 0; i < MEMBERS; i++) {
      Kernel k = FileTestKit.kernel("n" + i, "jdlm.kernel.memory { total-pages = 4096, page-size = 4096 }");
      kernels.add(k);
      BlockDevice dev = disk.member("n" + i);
      fss.add(FileSystem.mount(cluster.system(i), "fsc", k, new DlmLockModule(cluster.lockspace(i)),
          cluster.lockspace(i).lvbLength(), dev, MetadataWriter.direct(dev), i,
          FileTestKit.fsSettings("jdlm.fs.glock { hold-time = 10ms, min-hold-time = 5ms }\n"
              + "jdlm.fs.inode.iopen-upgrade-timeout = 1s"),
          FileTestKit.fileSettings("")));
    }
  }

  @AfterAll
  static void stop() {
    fss.forEach(FileSystem::close);
    kernels.forEach(Kernel::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private enum Kind { READ, WRITE, MMAP_STORE, MMAP_LOAD }

  @Test
  void everyMemberReadsWhatTheModelSaysAfterEveryStepOfSeededInterleavings() throws Exception {
    String one = System.getProperty("jdlm.fs.seed");
    int steps = Integer.getInteger("jdlm.fs.steps", 60);
    long[] seeds = one != null ? new long[] {Long.parseLong(one)}
        : new SplittableRandom(20261207L).longs(Integer.getInteger("jdlm.fs.seeds", 3)).toArray();
    for (long seed : seeds) {
      runSeed(seed, steps);
    }
  }

  private void runSeed(long seed, int steps) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    String dir = "/c" + Long.toHexString(seed);
    byte[][] model = new byte[FILES][];
    run(kernels.get(0), "setup", () -> fss.get(0).mkdir(dir));
    FileSystem.Handle[][] handles = new FileSystem.Handle[MEMBERS][FILES];
    for (int f = 0; f < FILES; f++) {
      String path = dir + "/f" + f;
      model[f] = new byte[2 * BS];
      run(kernels.get(0), "create", () -> {
        fss.get(0).create(path);
        FileSystem.Handle h = fss.get(0).open(path);
        fss.get(0).write(h, 0, new byte[2 * BS]);
        fss.get(0).close(h);
        return null;
      });
      for (int m = 0; m < MEMBERS; m++) {
        int mm = m;
        handles[m][f] = run(kernels.get(m), "open", () -> fss.get(mm).open(path));
      }
    }
    List<String> history = new ArrayList<>();
    try {
      for (int step = 0; step < steps; step++) {
        int m = rnd.nextInt(MEMBERS);
        int f = rnd.nextInt(FILES);
        Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
        FileSystem fs = fss.get(m);
        FileSystem.Handle h = handles[m][f];
        int size = model[f].length;
        boolean mapped = kind == Kind.MMAP_STORE || kind == Kind.MMAP_LOAD;
        // A mapping reaches only up to the end of the file; write and read may go past it.
        long offset = rnd.nextInt(mapped ? size : size + BS);
        int len = 1 + rnd.nextInt(mapped ? (int) Math.min(2 * BS, size - offset) : 2 * BS);
        history.add("n" + m + " " + kind + " f" + f + " @" + offset + "+" + len);
        switch (kind) {
          case WRITE, MMAP_STORE -> {
            byte[] data = new byte[len];
            rnd.nextBytes(data);
            run(kernels.get(m), "w", () -> {
              if (kind == Kind.WRITE) {
                fs.write(h, offset, data);
              } else {
                fs.store(fs.mmap(h), offset, data);
              }
              return null;
            });
            if (offset + len > model[f].length) {
              model[f] = Arrays.copyOf(model[f], (int) (offset + len));
            }
            System.arraycopy(data, 0, model[f], (int) offset, len);
          }
          case READ, MMAP_LOAD -> {
            byte[] got = run(kernels.get(m), "r", () -> kind == Kind.READ ? fs.read(h, offset, len)
                : fs.load(fs.mmap(h), offset, len));
            int end = (int) Math.min(model[f].length, offset + len);
            byte[] want = offset >= end ? new byte[0] : Arrays.copyOfRange(model[f], (int) offset, end);
            assertThat(got).as("seed %d step %d %s", seed, step, history.get(step)).isEqualTo(want);
          }
          default -> throw new IllegalStateException(kind.toString());
        }
        int checker = rnd.nextInt(MEMBERS);
        int ff = f;
        byte[] whole = run(kernels.get(checker), "check", () -> fss.get(checker).read(handles[checker][ff], 0,
            1 << 20));
        assertThat(crc(whole)).as("seed %d step %d: n%d reads f%d after %s; replay with -Djdlm.fs.seed=%d",
            seed, step, checker, f, history.get(step), seed).isEqualTo(crc(model[f]));
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("coherence failed for seed " + seed + " (replay: -Djdlm.fs.seed=" + seed
          + "); steps:\n  " + String.join("\n  ", history), e);
    }
    for (int m = 0; m < MEMBERS; m++) {
      for (int f = 0; f < FILES; f++) {
        FileSystem.Handle h = handles[m][f];
        int mm = m;
        run(kernels.get(m), "close", () -> {
          fss.get(mm).close(h);
          return null;
        });
      }
    }
  }

  private static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }

  @Test
  void anInodeUnlinkedWhileOpenElsewhereIsDeallocatedOnceAtTheLastCloseClusterWide() throws Exception {
    FileSystem a = fss.get(0);
    FileSystem b = fss.get(1);
    FileSystem c = fss.get(2);
    long ino = run(kernels.get(1), "create", () -> {
      b.mkdir("/u");
      b.create("/u/victim");
      return b.lookup("/u/victim");
    });
    FileSystem.Handle hb = run(kernels.get(1), "open-b", () -> {
      FileSystem.Handle h = b.open("/u/victim");
      b.write(h, 0, new byte[3 * BS]);
      return h;
    });
    FileSystem.Handle hc = run(kernels.get(2), "open-c", () -> c.open("/u/victim"));
    int freeOpen = a.diskFreeBlocks();
    long deallocsBefore = deallocations();

    run(kernels.get(0), "unlink", () -> {
      a.unlink("/u/victim");
      return null;
    });
    assertThat(a.diskBlockState((int) ino)).as("unlinked, still open on B and C").isEqualTo(BlockState.UNLINKED);
    assertThat(a.diskFreeBlocks()).as("no block freed yet").isEqualTo(freeOpen);
    assertThat(deallocations()).isEqualTo(deallocsBefore);
    assertThat(run(kernels.get(2), "read-c", () -> c.read(hc, 0, 10 * BS))).as("C still reads the data B wrote")
        .hasSize(3 * BS);

    run(kernels.get(1), "close-b", () -> {
      b.close(hb);
      return null;
    });
    assertThat(a.diskBlockState((int) ino)).as("C still has it open").isEqualTo(BlockState.UNLINKED);
    assertThat(deallocations()).isEqualTo(deallocsBefore);

    run(kernels.get(2), "close-c", () -> {
      c.close(hc);
      return null;
    });
    assertThat(a.diskBlockState((int) ino)).as("freed at the last close").isEqualTo(BlockState.FREE);
    assertThat(a.diskFreeBlocks()).as("the dinode and its 3 data blocks are back").isEqualTo(freeOpen + 4);
    assertThat(deallocations()).as("exactly once, cluster-wide").isEqualTo(deallocsBefore + 1);
  }

  private static long deallocations() {
    return fss.stream().mapToLong(fs -> fs.stats().deallocations()).sum();
  }
}
