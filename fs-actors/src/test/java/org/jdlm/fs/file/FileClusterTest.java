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

  /**
   * The three members write and mmap-store concurrently, each into its own two pages of one file
   * (so the final contents do not depend on the interleaving), while reading the whole file;
   * afterwards every member reads what the last write of each member left.
   */
  @Test
  void concurrentWritersOnThreeMembersLeaveEveryMembersLastWrite() throws Exception {
    String path = "/concurrent";
    run(kernels.get(0), "create", () -> {
      fss.get(0).create(path);
      FileSystem.Handle h = fss.get(0).open(path);
      fss.get(0).write(h, 0, new byte[MEMBERS * 2 * BS]);
      fss.get(0).close(h);
      return null;
    });
    byte[] model = new byte[MEMBERS * 2 * BS];
    List<java.util.concurrent.CompletableFuture<Void>> writers = new ArrayList<>();
    for (int m = 0; m < MEMBERS; m++) {
      int mm = m;
      SplittableRandom rnd = new SplittableRandom(1000 + m);
      byte[][] versions = new byte[12][];
      for (int v = 0; v < versions.length; v++) {
        versions[v] = new byte[2 * BS - 10];
        rnd.nextBytes(versions[v]);
      }
      long offset = (long) m * 2 * BS + 5;
      System.arraycopy(versions[versions.length - 1], 0, model, (int) offset, versions[0].length);
      writers.add(FileTestKit.start(kernels.get(m), "writer-" + m, () -> {
        FileSystem fs = fss.get(mm);
        FileSystem.Handle h = fs.open(path);
        for (int v = 0; v < versions.length; v++) {
          if (v % 2 == 0) {
            fs.write(h, offset, versions[v]);
          } else {
            fs.store(fs.mmap(h), offset, versions[v]);
          }
          assertThat(fs.read(h, 0, 1 << 20)).hasSize(MEMBERS * 2 * BS);
        }
        fs.close(h);
        return null;
      }));
    }
    for (var w : writers) {
      FileTestKit.join(w);
    }
    for (int m = 0; m < MEMBERS; m++) {
      int mm = m;
      byte[] seen = run(kernels.get(m), "check", () -> {
        FileSystem.Handle h = fss.get(mm).open(path);
        byte[] r = fss.get(mm).read(h, 0, 1 << 20);
        fss.get(mm).close(h);
        return r;
      });
      assertThat(crc(seen)).as("n%d reads every member's last write", m).isEqualTo(crc(model));
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

  /**
   * Cycle (e) of fs-cycles §5.5 on real parts, with {@code fault-order = page-first} on A: A's
   * fault U holds page P and waits for the inode glock, whose demote (for B's writer) runs on A's
   * glock workqueue and must lock P to invalidate it. Both waits show in A's task registry. With
   * {@code glock-first} the same interleaving completes, and afterwards A reads B's data.
   */
  @Test
  void pageFirstFaultsCloseCycleEAndGlockFirstFaultsDoNot() throws Exception {
    Run pageFirst = cycleE("fse", 7000, 3000, "page-first");
    try {
      String page = Long.toHexString(pageFirst.ino) + "/0";
      FileTestKit.until("A's glock worker waits for U's page lock", () -> pageFirst.a.kernel.tasks().stream()
          .anyMatch(t -> t.name().startsWith("kworker/glock_workqueue-fse") && t.waitEdge() != null
              && t.waitEdge().label().equals("waits-page-lock(" + page + ")")
              && t.waitEdge().targets().equals(List.of("page:" + page))));
      var u = FileTestKit.task(pageFirst.a.kernel, "U");
      assertThat(u.waitEdge().label()).as("U holds page %s and waits for the glock", page).isEqualTo("waits-glock(SH)");
      assertThat(u.waitEdge().targets()).containsExactly("glock:2/" + Long.toHexString(pageFirst.ino));
      // A's wait-for graph links the worker's page wait to U through the page's held-by fact.
      var graph = org.jdlm.kernel.core.waits.WaitGraph.builder();
      pageFirst.a.kernel().feedWaits(pageFirst.a.kernel().clock().nanos(), graph);
      var g = graph.build();
      var member = pageFirst.a.kernel().member();
      var pageVertex = org.jdlm.kernel.core.waits.Vertex.local(member, "page:" + page);
      var uVertex = org.jdlm.kernel.core.waits.Vertex.local(member, "task:U#" + u.id());
      assertThat(g.out(pageVertex)).singleElement().satisfies(e -> assertThat(e.to()).isEqualTo(uVertex));
      assertThat(g.out(uVertex)).extracting(e -> e.to().toString())
          .containsExactly(member + "/glock:2/" + Long.toHexString(pageFirst.ino));
      Thread.sleep(300);
      assertThat(pageFirst.fault).as("deadlocked: nobody gives way").isNotDone();
      assertThat(pageFirst.write).isNotDone();
    } finally {
      pageFirst.close();
    }

    Run glockFirst = cycleE("fsg", 9000, 4000, "glock-first");
    try {
      FileTestKit.join(glockFirst.write);
      byte[] seen = FileTestKit.join(glockFirst.fault);
      // The fault and the write were concurrent: either order is a correct outcome, a hang is not.
      assertThat(seen[0]).as("U's fault saw the page before or after B's write").isIn((byte) 0, (byte) 7);
      FileSystem fsA = glockFirst.a.fs();
      byte[] after = run(glockFirst.a.kernel(), "reread", () -> {
        FileSystem.Handle h = fsA.open("/f");
        byte[] r = fsA.read(h, 0, 1);
        fsA.close(h);
        return r;
      });
      assertThat(after[0]).as("after both, A reads B's write").isEqualTo((byte) 7);
    } finally {
      glockFirst.close();
    }
  }

  /** One member's mount of a cycle-(e) filesystem with its own kernel (closed to end stuck tasks). */
  private record Mount(Kernel kernel, FileSystem fs) {}

  private record Run(Mount a, Mount b, long ino, java.util.concurrent.CompletableFuture<byte[]> fault,
                     java.util.concurrent.CompletableFuture<Void> write) implements AutoCloseable {
    @Override
    public void close() {
      for (Mount m : List.of(a, b)) {
        m.fs().close();
        m.kernel().close();
      }
    }
  }

  /**
   * A caches page 0 of a file; a pinner on A holds the inode glock SH; B's writer asks for EX, so
   * A's demote is due but waits for the pinner; U faults page 0 on A; then the pinner goes. Block
   * numbers start after {@code journalBlocks * 2} so this filesystem's glock names (same
   * lockspace) never meet the other tests'.
   */
  private Run cycleE(String name, int blocks, int journalBlocks, String order) throws Exception {
    MemoryBlockDevice d = new MemoryBlockDevice(name, BS, blocks);
    FileSystem.mkfs(d.member("n0"), 2, journalBlocks, 400);
    List<Mount> mounts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Kernel k = FileTestKit.kernel("n" + i + name, "jdlm.kernel.memory { total-pages = 4096, page-size = 4096 }");
      BlockDevice dev = d.member("n" + i);
      mounts.add(new Mount(k, FileSystem.mount(cluster.system(i), name, k, new DlmLockModule(cluster.lockspace(i)),
          cluster.lockspace(i).lvbLength(), dev, MetadataWriter.direct(dev), i,
          FileTestKit.fsSettings("jdlm.fs.glock { hold-time = 10ms, min-hold-time = 5ms }"),
          FileTestKit.fileSettings("jdlm.fs.file.fault-order = " + order))));
    }
    Mount a = mounts.get(0);
    Mount b = mounts.get(1);
    FileSystem.Handle ha = run(a.kernel(), "setup", () -> {
      a.fs().create("/f");
      FileSystem.Handle h = a.fs().open("/f");
      a.fs().write(h, 0, new byte[BS]);
      a.fs().fsync(h);
      a.fs().read(h, 0, BS);
      return h;
    });
    long ino = ha.ino();
    org.jdlm.fs.core.GlockName gl = org.jdlm.fs.core.GlockName.of(org.jdlm.fs.core.GlockType.INODE, ino);
    FileSystem.Handle hb = run(b.kernel(), "open-b", () -> b.fs().open("/f"));
    java.util.concurrent.CompletableFuture<Void> unpin = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<Void> pinner = FileTestKit.start(a.kernel(), "pinner", () -> {
      var r = (org.jdlm.fs.Glocks.Granted) a.fs().glocks().nq(gl, org.jdlm.fs.core.GlockState.SH, java.util.Set.of());
      unpin.join();
      a.fs().glocks().dq(r.holder());
      return null;
    });
    FileTestKit.until("the pinner holds the glock", () -> {
      var t = FileTestKit.task(a.kernel(), "pinner");
      return t != null && t.waitEdge() == null;
    });
    java.util.concurrent.CompletableFuture<Void> write = FileTestKit.start(b.kernel(), "W", () -> {
      b.fs().write(hb, 0, new byte[] {7});
      return null;
    });
    String hex = "n:2/" + Long.toHexString(ino) + " ";
    FileTestKit.until("A's demote of " + hex + "is due behind the pinner", () -> {
      try {
        return a.fs().glocks().dump().toCompletableFuture().get().lines()
            .anyMatch(l -> l.contains(hex) && l.matches(".* f:\\S*D\\S* .*"));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    java.util.concurrent.CompletableFuture<byte[]> fault = FileTestKit.start(a.kernel(), "U",
        () -> a.fs().touch(a.fs().mmap(ha), 0, FileSystem.Access.READ));
    FileTestKit.until("U waits for the glock", () -> {
      var t = FileTestKit.task(a.kernel(), "U");
      return t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-glock(SH)");
    });
    unpin.complete(null);
    FileTestKit.join(pinner);
    return new Run(a, b, ino, fault, write);
  }

  private static long deallocations() {
    return fss.stream().mapToLong(fs -> fs.stats().deallocations()).sum();
  }
}
