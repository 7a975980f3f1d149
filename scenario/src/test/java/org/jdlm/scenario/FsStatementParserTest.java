package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filesystem and kernel statements (docs/scenarios.md "Filesystem and kernel"): each form parses
 * to the record the runner executes. Their errors are in {@link FsStatementErrorTest}.
 */
class FsStatementParserTest {

  private static final Node N1 = new Node(1);
  private static final Node N2 = new Node(2);

  static Stream<Arguments> statements() {
    return Stream.of(
        Arguments.of("n1 mount gfs", new FsCommand.Mount("gfs", null, null)),
        Arguments.of("n2 mount fs-1.a put-async-in-reclaim=off hold-time=3s",
            new FsCommand.Mount("fs-1.a", false, 3000L)),
        Arguments.of("n1 mount gfs hold-time=250ms put-async-in-reclaim=on", new FsCommand.Mount("gfs", true, 250L)),
        Arguments.of("n1 unmount gfs", new FsCommand.Unmount("gfs")),
        Arguments.of("n1 memory total=100p min=10p low=20p high=30p", new FsCommand.Memory(100, 10, 20, 30)),
        Arguments.of("n1 memory high=30p low=20p min=0p total=30p", new FsCommand.Memory(30, 0, 20, 30)),
        Arguments.of("n1 task T glock gfs 2/1C00 nq EX",
            task("T", Set.of(), new FsCommand.Nq("gfs", "2/1c00", "EX", Set.of()), false, "OK")),
        Arguments.of("n1 task T glock gfs 2/0001c00 nq SH hflags=TRY_1CB,NOCACHE => TRYAGAIN",
            task("T", Set.of(), new FsCommand.Nq("gfs", "2/1c00", "SH", Set.of("TRY_1CB", "NOCACHE")), false, "TRYAGAIN")),
        Arguments.of("n1 task T flags=MEMALLOC,NOFS glock gfs 5/ff dq",
            task("T", Set.of("MEMALLOC", "NOFS"), new FsCommand.GlockRefCall("gfs", "5/ff", "dq"), false, "OK")),
        Arguments.of("n1 task T glock gfs 2/1 get", task("T", Set.of(), new FsCommand.GlockRefCall("gfs", "2/1", "get"), false, "OK")),
        Arguments.of("n1 task T glock gfs 2/1 put", task("T", Set.of(), new FsCommand.GlockRefCall("gfs", "2/1", "put"), false, "OK")),
        Arguments.of("n1 task T glock gfs 2/1 put-async async",
            task("T", Set.of(), new FsCommand.GlockRefCall("gfs", "2/1", "put-async"), true, "OK")),
        Arguments.of("n1 task T iget gfs 0x1c00", task("T", Set.of(), new FsCommand.InodeCall("gfs", "iget", 0x1c00), false, "OK")),
        Arguments.of("n1 task T iput gfs 7 async", task("T", Set.of(), new FsCommand.InodeCall("gfs", "iput", 7), true, "OK")),
        Arguments.of("n1 task T unlink gfs 7", task("T", Set.of(), new FsCommand.InodeCall("gfs", "unlink", 7), false, "OK")),
        Arguments.of("n1 task D drop-caches gfs", task("D", Set.of(), new FsCommand.DropCaches("gfs"), false, "OK")),
        Arguments.of("n1 task H alloc 20p", task("H", Set.of(), new FsCommand.Alloc(20, "GFP_KERNEL"), false, "OK")),
        Arguments.of("n1 task H alloc 20p mask=GFP_ATOMIC =>ENOMEM",
            task("H", Set.of(), new FsCommand.Alloc(20, "GFP_ATOMIC"), false, "ENOMEM")),
        Arguments.of("n1 task H free", task("H", Set.of(), new FsCommand.Free(), false, "OK")));
  }

  private static FsCommand task(String name, Set<String> flags, FsCommand.Call call, boolean async, String code) {
    return new FsCommand.TaskCall(name, flags, call, async, code);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statements")
  void eachStatementParsesToItsCommand(String line, FsCommand expected) throws Exception {
    Scenario s = ScenarioParser.parse("f.scen", "nodes 2\n" + line + "\n", ScenarioSyntaxErrorTest.LIMITS);
    assertThat(s.statements()).hasSize(1);
    Statement.Fs fs = (Statement.Fs) s.statements().get(0);
    assertThat(fs.node()).isEqualTo(line.startsWith("n2") ? N2 : N1);
    assertThat(fs.command()).isEqualTo(expected);
  }

  static Stream<Arguments> checks() {
    return Stream.of(
        Arguments.of("n1 glock gfs 2/1c00 state EX", new FsCheck.GlockState(N1, "gfs", "2/1c00", "EX")),
        Arguments.of("n2 glock gfs 5/64 gone", new FsCheck.GlockState(N2, "gfs", "5/64", null)),
        Arguments.of("n1 glock gfs 2/1c00 holders A:EX:H,B:SH:W",
            new FsCheck.GlockHolders(N1, "gfs", "2/1c00", List.of("A:EX:H", "B:SH:W"))),
        Arguments.of("n1 glock gfs 2/1c00 holders -", new FsCheck.GlockHolders(N1, "gfs", "2/1c00", List.of())),
        Arguments.of("n1 cached gfs 100 yes", new FsCheck.Cached(N1, "gfs", 100, true)),
        Arguments.of("n1 cached gfs 0x64 no", new FsCheck.Cached(N1, "gfs", 100, false)),
        Arguments.of("n1 memory free>=high", new FsCheck.MemoryFree(N1, true, "high", 0)),
        Arguments.of("n1 memory free<min", new FsCheck.MemoryFree(N1, false, "min", 0)),
        Arguments.of("n1 memory free<40p", new FsCheck.MemoryFree(N1, false, null, 40)),
        Arguments.of("n1 task T done", new FsCheck.TaskIs(N1, "T", "done", null, Optional.empty())),
        Arguments.of("n1 task T done => TRYAGAIN", new FsCheck.TaskIs(N1, "T", "done", null, Optional.of("TRYAGAIN"))),
        Arguments.of("n1 task T running", new FsCheck.TaskIs(N1, "T", "running", null, Optional.empty())),
        Arguments.of("n1 task T waiting waits-glock(EX)",
            new FsCheck.TaskIs(N1, "T", "waiting", "waits-glock(EX)", Optional.empty())),
        Arguments.of("n1 task T waiting waits-memory", new FsCheck.TaskIs(N1, "T", "waiting", "waits-memory", Optional.empty())),
        Arguments.of("dlm gfs 2/1c00 gone",
            new FsCheck.DlmQueues("gfs", "2/1c00", true, Optional.empty(), Optional.empty(), Optional.empty())),
        Arguments.of("dlm gfs 2/1c00 wait=n2:PR grant=n1:EX,n2:NL convert=-",
            new FsCheck.DlmQueues("gfs", "2/1c00", false, Optional.of(List.of("n1:EX", "n2:NL")), Optional.of(List.of()),
                Optional.of(List.of("n2:PR")))),
        Arguments.of("dlm gfs 2/1c00 convert=n1:NL>EX",
            new FsCheck.DlmQueues("gfs", "2/1c00", false, Optional.empty(), Optional.of(List.of("n1:NL>EX")), Optional.empty())));
  }

  @ParameterizedTest(name = "expect/await {0}")
  @MethodSource("checks")
  void eachCheckParsesAsAnExpectationAndAsACondition(String text, FsCheck expected) throws Exception {
    Scenario s = ScenarioParser.parse("f.scen", "nodes 2\nexpect " + text + "\nawait " + text + "\n",
        ScenarioSyntaxErrorTest.LIMITS);
    assertThat(((Statement.Expect) s.statements().get(0)).expectation()).isEqualTo(new Expectation.Fs(expected));
    assertThat(((Statement.Await) s.statements().get(1)).condition()).isEqualTo(new Condition.Fs(expected));
  }

  @Test
  void aLockNamedLikeANodeOrDlmStaysALock() throws Exception {
    Scenario s = ScenarioParser.parse("f.scen", "nodes 2\nn1 lock n1 R EX\nn1 lock dlm R NL\nexpect n1 granted EX\n"
        + "await dlm cast OK\n", ScenarioSyntaxErrorTest.LIMITS);
    assertThat(((Statement.Expect) s.statements().get(2)).expectation()).isEqualTo(new Expectation.Granted("n1", Mode.EX));
    assertThat(((Statement.Await) s.statements().get(3)).condition())
        .isEqualTo(new Condition.CallbackArrived("dlm", new Callback.Cast(CastStatus.OK)));
  }

  @Test
  void everyShippedFsFileParses() throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath().getParent().resolve("scenarios/fs");
    try (var files = java.nio.file.Files.list(dir)) {
      List<java.nio.file.Path> all = files.filter(f -> f.toString().endsWith(".scen")).toList();
      assertThat(all).hasSizeGreaterThanOrEqualTo(20);
      for (java.nio.file.Path f : all) {
        Scenario s = ScenarioParser.parse(f.getFileName().toString(), java.nio.file.Files.readString(f),
            ScenarioSyntaxErrorTest.LIMITS);
        assertThat(s.statements()).anyMatch(st -> st instanceof Statement.Fs);
      }
    }
  }
}
