package org.jdlm.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdlm.scenario.LineLexer.Token;

/**
 * Parses scenario files (brief §6, reference in {@code docs/scenarios.md}) into a typed
 * {@link Scenario}.
 *
 * <p>The parser checks what the file alone can decide: the grammar of every statement, the header
 * order ({@code nodes} first, {@code lockspace} and {@code timeout} at most once and before the
 * body), node numbers within {@code 1..N}, and lock names (a name is introduced by one {@code lock}
 * statement and must be introduced before any other use). It deliberately does not check what the
 * API decides: flag combinations, a value block longer than {@code lvblen}, or operations on a
 * lock that is already gone all parse, and the API answers them with a code (brief §6).
 *
 * <p>Errors: the parser reports at most one error per line (the first one on it) and goes on with
 * the next line, so one run shows every broken line; it stops after {@link Limits#maxErrors()}.
 * It throws nothing but {@link ScenarioSyntaxException}.
 */
public final class ScenarioParser {

  /**
   * Bounds on what a file may ask for, from {@code jdlm.cli.scenario} in {@code reference.conf}.
   * They catch typos ({@code nodes 300}, {@code timeout 10m} meant as 10 s) before a run starts.
   */
  public record Limits(int maxNodes, int maxLvbLength, Duration maxTimeout, int maxErrors) {

    public Limits {
      if (maxNodes < 1 || maxLvbLength < 8 || maxErrors < 1) {
        throw new IllegalArgumentException("scenario limits must be positive (max-lvb-length >= 8), got "
            + maxNodes + ", " + maxLvbLength + ", " + maxErrors);
      }
      if (maxTimeout == null || maxTimeout.isNegative() || maxTimeout.isZero()) {
        throw new IllegalArgumentException("max-timeout must be positive, got " + maxTimeout);
      }
    }

    /** Reads {@code jdlm.cli.scenario.*} from {@code config}. */
    public static Limits fromConfig(Config config) {
      Config c = config.getConfig("jdlm.cli.scenario");
      return new Limits(c.getInt("max-nodes"), c.getInt("max-lvb-length"),
          c.getDuration("max-timeout"), c.getInt("max-errors"));
    }
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./-]*");
  private static final Pattern NODE = Pattern.compile("n[1-9][0-9]{0,8}");
  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]*");
  private static final Pattern COUNT = Pattern.compile("[0-9]{1,9}");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]*");

  private static final String NAME_CHARS = "letters, digits, '_', '.', '-', '/'";
  private static final String MODES = "a mode (NL CR CW PR PW EX)";
  private static final String STATEMENTS = "a statement (nodes, lockspace, timeout, break-deadlocks, "
      + "nX lock|convert|unlock|cancel|mount|unmount|memory|task, await, expect, kill, pause, resume, restart)";

  /** Options an operation may take; each verb allows a subset (brief §6). */
  private enum Option { FLAGS, LVB, NOBAST, CODE, TASK }

  private final String file;
  private final Limits limits;
  private final List<SyntaxError> errors = new ArrayList<>();
  private final List<Statement> statements = new ArrayList<>();
  /** Lock name → line of the {@code lock} statement that introduced it. */
  private final Map<String, Integer> lockLines = new HashMap<>();

  private boolean stopped;
  private int firstStatementLine;
  private int nodesLine;
  private int lockspaceLine;
  private int timeoutLine;
  private int breakLine;
  private boolean breakDeadlocks;
  private int firstBodyLine;
  /** Null until a valid {@code nodes N} is read; node numbers go unchecked while it is null. */
  private Integer nodes;
  private String lockspace = Header.DEFAULT_LOCKSPACE;
  private int lvbLength = Header.DEFAULT_LVB_LENGTH;
  private Duration timeout = Header.DEFAULT_TIMEOUT;

  private ScenarioParser(String file, Limits limits) {
    this.file = file;
    this.limits = limits;
  }

  /** Parses {@code text} with the limits of the application's configuration. */
  public static Scenario parse(String fileName, String text) throws ScenarioSyntaxException {
    return parse(fileName, text, Limits.fromConfig(ConfigFactory.load()));
  }

  /**
   * Parses {@code text}, naming {@code fileName} in positions and errors.
   *
   * @throws ScenarioSyntaxException listing every error found (see the class comment)
   */
  public static Scenario parse(String fileName, String text, Limits limits)
      throws ScenarioSyntaxException {
    if (fileName == null || fileName.isEmpty() || text == null || limits == null) {
      throw new IllegalArgumentException("file name, text and limits are required");
    }
    return new ScenarioParser(fileName, limits).run(text);
  }

  private Scenario run(String text) throws ScenarioSyntaxException {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;  // editors' byte-order mark
    String[] lines = body.split("\r\n|\r|\n", -1);
    for (int i = 0; i < lines.length && !stopped; i++) {
      parseLine(lines[i], i + 1);
    }
    if (firstStatementLine == 0) {
      addError(new SyntaxError(new Position(file, 1, 1),
          "expected 'nodes N' as the first statement, found end of file"));
    }
    if (!errors.isEmpty()) {
      throw new ScenarioSyntaxException(errors);
    }
    return new Scenario(file, new Header(nodes, lockspace, lvbLength, timeout, breakDeadlocks), statements);
  }

  private void parseLine(String text, int lineNo) {
    List<Token> tokens;
    try {
      tokens = LineLexer.lex(text);
    } catch (LineError e) {
      addError(new SyntaxError(new Position(file, lineNo, e.column()), e.getMessage()));
      return;
    }
    if (tokens.isEmpty()) {
      return;
    }
    Cursor line = new Cursor(tokens);
    Token first = line.next(STATEMENTS);
    String orderError = orderError(first.text(), lineNo);
    Statement statement = null;
    SyntaxError error = null;
    try {
      // Parsed even after an order error, so that its lock names are introduced and later lines
      // do not report follow-on errors; header values are applied only when the order is right.
      statement = statement(line, first, lineNo, orderError == null);
      line.end();
    } catch (LineError e) {
      error = new SyntaxError(new Position(file, lineNo, e.column()), e.getMessage());
    }
    if (orderError != null) {
      addError(new SyntaxError(new Position(file, lineNo, first.column()), orderError));
    } else if (error != null) {
      addError(error);
    } else if (statement != null) {
      statements.add(statement);
    }
  }

  /**
   * Checks where a statement may stand and records where the header ends: {@code nodes} first,
   * {@code lockspace} and {@code timeout} once each before any body statement.
   */
  private String orderError(String word, int lineNo) {
    boolean isFirst = firstStatementLine == 0;
    if (isFirst) {
      firstStatementLine = lineNo;
    }
    switch (word) {
      case "nodes":
        if (nodesLine != 0) {
          return "duplicate 'nodes': already given on line " + nodesLine;
        }
        if (!isFirst) {
          return "'nodes' must be the first statement, but line " + firstStatementLine
              + " comes before it";
        }
        nodesLine = lineNo;
        return null;
      case "lockspace":
      case "timeout":
      case "break-deadlocks": {
        boolean ls = word.equals("lockspace");
        int seen = ls ? lockspaceLine : word.equals("timeout") ? timeoutLine : breakLine;
        if (isFirst) {
          return "expected 'nodes N' as the first statement, found '" + word + "'";
        }
        if (seen != 0) {
          return "duplicate '" + word + "': already given on line " + seen;
        }
        if (ls) {
          lockspaceLine = lineNo;
        } else if (word.equals("timeout")) {
          timeoutLine = lineNo;
        } else {
          breakLine = lineNo;
        }
        if (firstBodyLine != 0) {
          return "'" + word + "' belongs to the header: it must come before the first "
              + "operation, await, expect or fault (line " + firstBodyLine + ")";
        }
        return null;
      }
      default:
        if (firstBodyLine == 0) {
          firstBodyLine = lineNo;
        }
        return isFirst ? "expected 'nodes N' as the first statement, found " + show(word) : null;
    }
  }

  /** Parses one statement; header statements update the header and return null. */
  private Statement statement(Cursor line, Token first, int lineNo, boolean apply) {
    Position at = new Position(file, lineNo, first.column());
    switch (first.text()) {
      case "nodes":
        nodesStatement(line, apply);
        return null;
      case "lockspace":
        lockspaceStatement(line, apply);
        return null;
      case "timeout":
        timeoutStatement(line, apply);
        return null;
      case "break-deadlocks":
        if (apply) {
          breakDeadlocks = true;
        }
        return null;
      case "await":
        return new Statement.Await(at, condition(line));
      case "expect":
        return new Statement.Expect(at, expectation(line));
      case "kill":
        return new Statement.Fault(at, Statement.FaultKind.KILL, node(line.next("a node")));
      case "pause":
        return new Statement.Fault(at, Statement.FaultKind.PAUSE, node(line.next("a node")));
      case "resume":
        return new Statement.Fault(at, Statement.FaultKind.RESUME, node(line.next("a node")));
      case "restart":
        return new Statement.Fault(at, Statement.FaultKind.RESTART, node(line.next("a node")));
      default:
        if (first.text().matches("n[0-9]+")) {
          return operation(line, at, node(first), lineNo);
        }
        throw new LineError(first.column(), "expected " + STATEMENTS + ", found " + show(first));
    }
  }

  // ---------------------------------------------------------------- header

  private void nodesStatement(Cursor line, boolean apply) {
    Token t = line.next("a node count");
    int n = count(t, "a node count");
    if (n < 1 || n > limits.maxNodes()) {
      throw new LineError(t.column(), "expected a node count from 1 to " + limits.maxNodes()
          + " (jdlm.cli.scenario.max-nodes), found " + n);
    }
    if (apply) {
      nodes = n;
    }
  }

  private void lockspaceStatement(Cursor line, boolean apply) {
    String name = name(line.next("a lockspace name"), "a lockspace name");
    int lvb = Header.DEFAULT_LVB_LENGTH;
    if (!line.atEnd()) {
      Token kw = line.next("'lvblen'");
      if (!kw.text().equals("lvblen")) {
        throw new LineError(kw.column(), "expected 'lvblen N' or end of line, found " + show(kw));
      }
      Token t = line.next("a value-block length in bytes");
      lvb = count(t, "a value-block length in bytes");
      if (lvb < 8 || lvb % 8 != 0 || lvb > limits.maxLvbLength()) {
        throw new LineError(t.column(), "expected a value-block length that is a multiple of 8 from 8 to "
            + limits.maxLvbLength() + " (jdlm.cli.scenario.max-lvb-length), found " + lvb);
      }
    }
    if (apply) {
      lockspace = name;
      lvbLength = lvb;
    }
  }

  private void timeoutStatement(Cursor line, boolean apply) {
    Duration d = boundedDuration(line, "a timeout");
    if (apply) {
      timeout = d;
    }
  }

  /** A duration in the file's own units, for messages. */
  private static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    return ms % 60_000 != 0 ? ms / 1000 + "s" : ms / 60_000 + "m";
  }

  // ---------------------------------------------------------------- operations

  private Statement operation(Cursor line, Position at, Node node, int lineNo) {
    Token verb = line.next("an operation (lock, convert, unlock, cancel, " + String.join(", ", FS_VERBS) + ")");
    switch (verb.text()) {
      case "lock": {
        String lock = newLockName(line.next("a lock name"), lineNo);
        String resource = name(line.next("a resource name"), "a resource name");
        Mode mode = mode(line.next(MODES));
        Options o = options(line, EnumSet.allOf(Option.class), "lock");
        return new Statement.Lock(at, node, lock, resource, mode, o.flags, o.lvb, o.noBast, o.code, o.task);
      }
      case "convert": {
        String lock = lockRef(line.next("a lock name"), "a lock name (" + NAME_CHARS + ")");
        Mode mode = mode(line.next(MODES));
        Options o = options(line, EnumSet.of(Option.FLAGS, Option.LVB, Option.CODE), "convert");
        return new Statement.Convert(at, node, lock, mode, o.flags, o.lvb, o.code);
      }
      case "unlock": {
        String lock = lockRef(line.next("a lock name"), "a lock name (" + NAME_CHARS + ")");
        Options o = options(line, EnumSet.of(Option.FLAGS, Option.LVB, Option.CODE), "unlock");
        return new Statement.Unlock(at, node, lock, o.flags, o.lvb, o.code);
      }
      case "cancel": {
        String lock = lockRef(line.next("a lock name"), "a lock name (" + NAME_CHARS + ")");
        Options o = options(line, EnumSet.of(Option.FLAGS, Option.CODE), "cancel");
        return new Statement.Cancel(at, node, lock, o.flags, o.code);
      }
      default:
        if (FS_VERBS.contains(verb.text())) {
          return new Statement.Fs(at, node, fsCommand(line, verb));
        }
        throw new LineError(verb.column(),
            "expected an operation (lock, convert, unlock, cancel, " + String.join(", ", FS_VERBS) + "), found "
                + show(verb));
    }
  }

  /** The options of one operation as read so far. */
  private static final class Options {
    Set<String> flags = Set.of();
    Optional<Lvb> lvb = Optional.empty();
    boolean noBast;
    String code = Statement.DEFAULT_CODE;
    Optional<String> task = Optional.empty();
  }

  /** Reads options in any order, each at most once (brief §6 "options may come in any order"). */
  private Options options(Cursor line, Set<Option> allowed, String verb) {
    Options o = new Options();
    Map<Option, Integer> seenAt = new EnumMap<>(Option.class);
    String expected = describe(allowed);
    while (!line.atEnd()) {
      Token t = line.next(expected);
      String text = t.text();
      Option option;
      if (text.startsWith("flags=")) {
        option = Option.FLAGS;
      } else if (text.startsWith("lvb=")) {
        option = Option.LVB;
      } else if (text.equals("nobast")) {
        option = Option.NOBAST;
      } else if (text.startsWith("=>")) {
        option = Option.CODE;
      } else if (text.startsWith("task=")) {
        option = Option.TASK;
      } else {
        throw new LineError(t.column(), "expected " + expected + ", found " + show(t));
      }
      if (!allowed.contains(option)) {
        throw new LineError(t.column(), optionName(option) + " is not allowed on " + verb
            + "; expected " + expected);
      }
      Integer previous = seenAt.putIfAbsent(option, t.column());
      if (previous != null) {
        throw new LineError(t.column(),
            "duplicate " + optionName(option) + ": already given at column " + previous);
      }
      switch (option) {
        case FLAGS -> o.flags = flags(t.sub("flags=".length(), text.length()));
        case LVB -> o.lvb = Optional.of(lvb(t.sub("lvb=".length(), text.length()), "'lvb='"));
        case NOBAST -> o.noBast = true;
        case TASK -> o.task = Optional.of(name(t.sub("task=".length(), text.length()), "a task name after 'task='"));
        case CODE -> o.code = code(text.equals("=>")
            ? line.next("a result code after '=>' (e.g. OK, EINVAL, ENOENT)")
            : t.sub(2, text.length()));
      }
    }
    return o;
  }

  private static String optionName(Option option) {
    return switch (option) {
      case FLAGS -> "'flags='";
      case LVB -> "'lvb='";
      case NOBAST -> "'nobast'";
      case CODE -> "'=> CODE'";
      case TASK -> "'task='";
    };
  }

  private static String describe(Set<Option> allowed) {
    List<String> names = new ArrayList<>();
    for (Option option : allowed) {
      names.add(switch (option) {
        case FLAGS -> "flags=…";
        case LVB -> "lvb=…";
        case NOBAST -> "nobast";
        case CODE -> "=> CODE";
        case TASK -> "task=…";
      });
    }
    return "an option (" + String.join(", ", names) + ") or end of line";
  }

  /** {@code flags=A,B}: names from {@link Vocabulary#DLM_FLAGS}; combinations are the API's. */
  private Set<String> flags(Token value) {
    Set<String> flags = new LinkedHashSet<>();
    for (Token piece : items(split(value, ','), "a flag name", "'flags='")) {
      if (!Vocabulary.DLM_FLAGS.contains(piece.text())) {
        throw new LineError(piece.column(), "expected a flag name (" + String.join(" ", Vocabulary.DLM_FLAGS)
            + "), found " + show(piece));
      }
      flags.add(piece.text());
    }
    return flags;
  }

  /** {@code => CODE}: any upper-case identifier; the runner compares it with the API's answer. */
  private static String code(Token t) {
    if (!CODE.matcher(t.text()).matches()) {
      throw new LineError(t.column(),
          "expected a result code in upper case (e.g. OK, EINVAL, ENOENT), found " + show(t));
    }
    return t.text();
  }

  /**
   * A value-block value: {@code TEXT} (printable ASCII without quotes), {@code "TEXT"} (may hold
   * spaces, {@code #}, {@code \"} and {@code \\}), or {@code 0xHEX} (two digits per byte).
   */
  private static Lvb lvb(Token value, String after) {
    String s = value.text();
    if (s.isEmpty()) {
      throw new LineError(value.column(), "expected a value after " + after
          + " (TEXT, \"TEXT\" or 0xHEX), found nothing");
    }
    if (s.startsWith("0x") || s.startsWith("0X")) {
      String digits = s.substring(2);
      if (digits.isEmpty()) {
        throw new LineError(value.column(), "expected hex digits after '0x', found nothing");
      }
      if (!HEX.matcher(digits).matches()) {
        int bad = 2;
        while (isHexDigit(s.charAt(bad))) {
          bad++;
        }
        throw new LineError(value.column() + bad, "expected a hex digit, found " + show(s.substring(bad, bad + 1)));
      }
      if (digits.length() % 2 != 0) {
        throw new LineError(value.column(), "expected an even number of hex digits (two per byte), found "
            + digits.length());
      }
      byte[] bytes = new byte[digits.length() / 2];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) Integer.parseInt(digits, 2 * i, 2 * i + 2, 16);
      }
      return new Lvb(bytes);
    }
    StringBuilder text = new StringBuilder();
    if (s.charAt(0) == '"') {
      int i = 1;
      while (s.charAt(i) != '"') {  // the lexer guarantees a closing quote
        char ch = s.charAt(i);
        if (ch == '\\') {
          char escaped = s.charAt(i + 1);
          if (escaped != '"' && escaped != '\\') {
            throw new LineError(value.column() + i, "expected '\\\"' or '\\\\' in a quoted value, found "
                + show(s.substring(i, i + 2)));
          }
          ch = escaped;
          i++;
        }
        requirePrintable(ch, value.column() + i);
        text.append(ch);
        i++;
      }
      if (i + 1 < s.length()) {
        throw new LineError(value.column() + i + 1,
            "expected end of value after the closing quote, found " + show(s.substring(i + 1)));
      }
    } else {
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch == '"') {
          throw new LineError(value.column() + i,
              "expected printable ASCII without quotes (quote the whole value: lvb=\"A B\"), found '\"'");
        }
        requirePrintable(ch, value.column() + i);
        text.append(ch);
      }
    }
    byte[] bytes = new byte[text.length()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) text.charAt(i);
    }
    return new Lvb(bytes);
  }

  private static boolean isHexDigit(char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
  }

  private static void requirePrintable(char ch, int column) {
    if (ch < 0x20 || ch > 0x7e) {
      throw new LineError(column, "expected printable ASCII in a value-block text (use 0x… for other bytes), found "
          + show(String.valueOf(ch)));
    }
  }

  // ---------------------------------------------------------------- await and expect

  private Condition condition(Cursor line) {
    String expected = "what to await (L cast S, L bast M, quiet, recovered or fenced nX)";
    Token t = line.next(expected);
    switch (t.text()) {
      case "quiet":
        return new Condition.Quiet();
      case "recovered":
        return new Condition.Recovered();
      case "fenced":
        return new Condition.Fenced(node(line.next("a node")));
      default:
        if (isFsSubject(t)) {
          return new Condition.Fs(fsCheck(t, line));
        }
        String lock = lockRef(t, expected);
        return new Condition.CallbackArrived(lock, callback(line.next("'cast' or 'bast'"), line));
    }
  }

  /** {@code cast STATUS} or {@code bast MODE}, the kind token already read. */
  private static Callback callback(Token kind, Cursor line) {
    switch (kind.text()) {
      case "cast":
        return new Callback.Cast(castStatus(line.next("a cast status (OK EAGAIN EDEADLK ECANCEL EUNLOCK ENOENT)")));
      case "bast":
        return new Callback.Bast(mode(line.next(MODES)));
      default:
        throw new LineError(kind.column(), "expected 'cast' or 'bast', found " + show(kind));
    }
  }

  private Expectation expectation(Cursor line) {
    String expected = "what to expect (L granted|waiting|converting|gone|lvb|sbflags|events …, "
        + "queues R …, master R nX, lockspace stopped|running, deadlock|livelock within D, no-deadlock for D "
        + "or knot contains P …)";
    Token t = line.next(expected);
    switch (t.text()) {
      case "deadlock":
      case "livelock":
      case "no-deadlock":
      case "knot":
        return detectorExpectation(t, line);
      case "queues":
        return queues(line);
      case "master":
        return new Expectation.Master(name(line.next("a resource name"), "a resource name"),
            node(line.next("a node")));
      case "lockspace": {
        Token s = line.next("'stopped' or 'running'");
        return switch (s.text()) {
          case "stopped" -> new Expectation.LockspaceState(Expectation.LockspaceState.State.STOPPED);
          case "running" -> new Expectation.LockspaceState(Expectation.LockspaceState.State.RUNNING);
          default -> throw new LineError(s.column(), "expected 'stopped' or 'running', found " + show(s));
        };
      }
      default:
        if (isFsSubject(t)) {
          return new Expectation.Fs(fsCheck(t, line));
        }
        return lockExpectation(lockRef(t, expected), line);
    }
  }

  /**
   * The wait-for-graph detector's assertions (docs/scenarios.md "Detector"): {@code deadlock within D},
   * {@code livelock within D}, {@code no-deadlock for D}, {@code knot contains P …}.
   */
  private Expectation detectorExpectation(Token kind, Cursor line) {
    switch (kind.text()) {
      case "knot": {
        Token kw = line.next("'contains'");
        if (!kw.text().equals("contains")) {
          throw new LineError(kw.column(), "expected 'contains' after 'knot', found " + show(kw));
        }
        List<String> patterns = new ArrayList<>();
        patterns.add(line.next("a vertex pattern such as n1/task:A or n2/lkb:*").text());
        while (!line.atEnd()) {
          patterns.add(line.next("a vertex pattern").text());
        }
        return new Expectation.KnotContains(patterns);
      }
      case "no-deadlock": {
        keyword(line, "for", "no-deadlock");
        return new Expectation.NoDeadlock(detectorDuration(line));
      }
      default: {
        keyword(line, "within", kind.text());
        Duration d = detectorDuration(line);
        return kind.text().equals("deadlock") ? new Expectation.Deadlock(d) : new Expectation.Livelock(d);
      }
    }
  }

  private static void keyword(Cursor line, String word, String after) {
    Token kw = line.next("'" + word + "'");
    if (!kw.text().equals(word)) {
      throw new LineError(kw.column(), "expected '" + word + " D' after '" + after + "', found " + show(kw));
    }
  }

  /** A duration bounded like {@code timeout}: a file cannot ask to wait longer than max-timeout. */
  private Duration detectorDuration(Cursor line) {
    return boundedDuration(line, "a duration");
  }

  /** A duration above 0 and at most max-timeout; {@code what} names it in the error. */
  private Duration boundedDuration(Cursor line, String what) {
    Token t = line.next("a duration such as 500ms, 10s or 2m");
    var m = DURATION.matcher(t.text());
    if (!m.matches()) {
      throw new LineError(t.column(), "expected a duration such as 500ms, 10s or 2m, found " + show(t));
    }
    long amount = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
    if (d.isZero() || d.compareTo(limits.maxTimeout()) > 0) {
      throw new LineError(t.column(), "expected " + what + " above 0 and at most " + human(limits.maxTimeout())
          + " (jdlm.cli.scenario.max-timeout), found " + show(t));
    }
    return d;
  }

  private Expectation lockExpectation(String lock, Cursor line) {
    String expected = "granted, waiting, converting, gone, lvb, sbflags or events";
    Token kw = line.next(expected);
    switch (kw.text()) {
      case "granted":
        return new Expectation.Granted(lock, mode(line.next(MODES)));
      case "waiting":
        return new Expectation.Waiting(lock, mode(line.next(MODES)));
      case "converting": {
        Mode[] fromTo = conversion(line.next("a conversion FROM>TO (e.g. PR>EX)"));
        return new Expectation.Converting(lock, fromTo[0], fromTo[1]);
      }
      case "gone":
        return new Expectation.Gone(lock);
      case "lvb": {
        Token v = line.next("a value (TEXT, \"TEXT\", 0xHEX) or 'zero'");
        return v.text().equals("zero") ? new Expectation.LvbZero(lock)
            : new Expectation.LvbEquals(lock, lvb(v, "'lvb'"));
      }
      case "sbflags":
        return new Expectation.SbFlags(lock, sbFlags(line));
      case "events":
        return new Expectation.Events(lock, events(line));
      default:
        throw new LineError(kw.column(), "expected " + expected + ", found " + show(kw));
    }
  }

  /** {@code none}, or sbflag names separated by commas (spaces after a comma are allowed). */
  private static Set<SbFlag> sbFlags(Cursor line) {
    String expected = "an sbflag (DEMOTED VALNOTVALID ALTMODE) or 'none'";
    Token first = line.next(expected);
    if (first.text().equals("none")) {
      return Set.of();
    }
    Set<SbFlag> flags = EnumSet.noneOf(SbFlag.class);
    List<Token> pieces = commaPieces(first, line);
    for (int i = 0; i < pieces.size(); i += 2) {
      Token name = pieces.get(i);
      if (name.text().equals(",")) {
        throw new LineError(name.column(), "expected an sbflag (DEMOTED VALNOTVALID ALTMODE), found ','");
      }
      flags.add(enumValue(SbFlag.class, name, "an sbflag (DEMOTED VALNOTVALID ALTMODE)"));
      commaOrEnd(pieces, i + 1, "an sbflag");
    }
    return flags;
  }

  /** {@code none}, or {@code cast S} / {@code bast M} items separated by commas. */
  private static List<Callback> events(Cursor line) {
    String expected = "a callback list such as 'cast OK, bast EX', or 'none'";
    Token first = line.next(expected);
    if (first.text().equals("none")) {
      return List.of();
    }
    List<Callback> callbacks = new ArrayList<>();
    List<Token> pieces = commaPieces(first, line);
    int i = 0;
    while (i < pieces.size()) {
      Token kind = pieces.get(i);
      if (i + 1 >= pieces.size()) {
        if (!kind.text().equals("cast") && !kind.text().equals("bast")) {
          throw new LineError(kind.column(), "expected 'cast' or 'bast', found " + show(kind));
        }
        throw new LineError(kind.end(), "expected " + (kind.text().equals("cast")
            ? "a cast status (OK EAGAIN EDEADLK ECANCEL EUNLOCK ENOENT)" : MODES) + ", found end of line");
      }
      Token value = pieces.get(i + 1);
      switch (kind.text()) {
        case "cast" -> callbacks.add(new Callback.Cast(castStatus(value)));
        case "bast" -> callbacks.add(new Callback.Bast(mode(value)));
        default -> throw new LineError(kind.column(), "expected 'cast' or 'bast', found " + show(kind));
      }
      commaOrEnd(pieces, i + 2, "'cast' or 'bast'");
      i += 3;
    }
    return callbacks;
  }

  /**
   * The rest of the line from {@code first} on, as words and separate {@code ","} pieces, so that
   * {@code a,b}, {@code a, b} and {@code a ,b} read the same.
   */
  private static List<Token> commaPieces(Token first, Cursor line) {
    List<Token> pieces = new ArrayList<>();
    Token t = first;
    while (true) {
      int from = 0;
      String s = t.text();
      for (int i = 0; i <= s.length(); i++) {
        if (i == s.length() || s.charAt(i) == ',') {
          if (i > from) {
            pieces.add(t.sub(from, i));
          }
          if (i < s.length()) {
            pieces.add(t.sub(i, i + 1));
          }
          from = i + 1;
        }
      }
      if (line.atEnd()) {
        return pieces;
      }
      t = line.next("more of the list");
    }
  }

  /** At {@code i} there must be nothing, or a comma followed by another item. */
  private static void commaOrEnd(List<Token> pieces, int i, String item) {
    if (i >= pieces.size()) {
      return;
    }
    Token sep = pieces.get(i);
    if (!sep.text().equals(",")) {
      throw new LineError(sep.column(), "expected ',' or end of line, found " + show(sep));
    }
    if (i + 1 >= pieces.size()) {
      throw new LineError(sep.end(), "expected " + item + " after ',', found end of line");
    }
  }

  /**
   * {@code queues R grant=… convert=… wait=…}: each key at most once, in any order, at least one;
   * {@code -} is an empty queue. Names inside are not checked against {@code lock} statements: an
   * entry describes what should sit on the resource, and one the file never created simply fails
   * the expectation at run time (the brief's own example lists such a lock, {@code L4}).
   */
  private Expectation queues(Cursor line) {
    String resource = name(line.next("a resource name"), "a resource name");
    String expected = "grant=…, convert=… or wait=…";
    Optional<List<Expectation.Held>> grant = Optional.empty();
    Optional<List<Expectation.Conversion>> convert = Optional.empty();
    Optional<List<Expectation.Held>> wait = Optional.empty();
    Map<String, Integer> seenAt = new HashMap<>();
    do {
      Token t = line.next(expected);
      int eq = t.text().indexOf('=');
      String key = eq < 0 ? t.text() : t.text().substring(0, eq);
      if (eq < 0 || !(key.equals("grant") || key.equals("convert") || key.equals("wait"))) {
        throw new LineError(t.column(), "expected " + expected + ", found " + show(t));
      }
      Integer previous = seenAt.putIfAbsent(key, t.column());
      if (previous != null) {
        throw new LineError(t.column(), "duplicate '" + key + "=': already given at column " + previous);
      }
      Token value = t.sub(eq + 1, t.text().length());
      boolean empty = value.text().equals("-");
      List<Token> entries = empty ? List.of()
          : items(split(value, ','), key.equals("convert") ? "an entry L:FROM>TO" : "an entry L:MODE",
              "'" + key + "=' (or - for an empty queue)");
      switch (key) {
        case "grant" -> grant = Optional.of(heldEntries(entries));
        case "wait" -> wait = Optional.of(heldEntries(entries));
        default -> {
          List<Expectation.Conversion> list = new ArrayList<>();
          for (Token e : entries) {
            Token[] lockAndMode = entry(e, "L:FROM>TO");
            Mode[] fromTo = conversion(lockAndMode[1]);
            list.add(new Expectation.Conversion(lockAndMode[0].text(), fromTo[0], fromTo[1]));
          }
          convert = Optional.of(list);
        }
      }
    } while (!line.atEnd());
    return new Expectation.Queues(resource, grant, convert, wait);
  }

  private static List<Expectation.Held> heldEntries(List<Token> entries) {
    List<Expectation.Held> list = new ArrayList<>();
    for (Token e : entries) {
      Token[] lockAndMode = entry(e, "L:MODE");
      list.add(new Expectation.Held(lockAndMode[0].text(), mode(lockAndMode[1])));
    }
    return list;
  }

  /** {@code L:REST} split into the lock name and REST. */
  private static Token[] entry(Token e, String form) {
    int colon = e.text().indexOf(':');
    if (colon < 0) {
      throw new LineError(e.column(), "expected a queue entry " + form + ", found " + show(e));
    }
    Token lock = e.sub(0, colon);
    name(lock, "a lock name before ':'");
    return new Token[] {lock, e.sub(colon + 1, e.text().length())};
  }

  /** {@code FROM>TO}. */
  private static Mode[] conversion(Token t) {
    int gt = t.text().indexOf('>');
    if (gt < 0) {
      throw new LineError(t.column(), "expected a conversion FROM>TO (e.g. PR>EX), found " + show(t));
    }
    return new Mode[] {mode(t.sub(0, gt)), mode(t.sub(gt + 1, t.text().length()))};
  }

  // ---------------------------------------------------------------- filesystem and kernel
  // The fs statements (docs/scenarios.md "Filesystem and kernel"): kept in this block so that the
  // DLM statements above and other additions to the language merge without touching each other.

  /** Verbs after {@code nX} that are fs statements. */
  static final List<String> FS_VERBS = List.of("mount", "unmount", "memory", "task");
  /** Glock states ({@code LM_ST_*}). */
  static final List<String> GLOCK_STATES = List.of("UN", "SH", "DF", "EX");
  /** Holder flags a scenario may pass to {@code nq} (GL_ASYNC is not offered: nq always waits). */
  static final List<String> HOLDER_FLAGS = List.of("TRY", "TRY_1CB", "NOEXP", "ANY", "NODE_SCOPE", "EXACT",
      "NOCACHE", "SKIP");
  /** Task flags a scenario may add for one call. */
  static final List<String> TASK_FLAGS = List.of("MEMALLOC", "NOFS", "NOIO", "LOCAL_THROTTLE", "IO_FLUSHER");
  /** Allocation masks. */
  static final List<String> GFP_MASKS = List.of("GFP_KERNEL", "GFP_NOFS", "GFP_NOIO", "GFP_ATOMIC", "GFP_NOWAIT");
  private static final Pattern FS_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}");
  private static final Pattern GLOCK_NAME = Pattern.compile("([1-9])/([0-9a-fA-F]{1,16})");
  private static final Pattern PAGES = Pattern.compile("([0-9]{1,9})p");
  private static final Pattern INO = Pattern.compile("(0x[0-9a-fA-F]{1,15}|[0-9]{1,18})");
  private static final String TASK_CALLS = "a task call (glock, iget, iput, unlink, drop-caches, alloc, free)";

  private FsCommand fsCommand(Cursor line, Token verb) {
    switch (verb.text()) {
      case "mount": {
        String fs = fsName(line.next("a filesystem name"));
        Boolean putAsync = null;
        Long holdTime = null;
        while (!line.atEnd()) {
          Token t = line.next("put-async-in-reclaim=on|off, hold-time=D or end of line");
          if (t.text().startsWith("put-async-in-reclaim=") && putAsync == null) {
            Token v = t.sub("put-async-in-reclaim=".length(), t.text().length());
            putAsync = switch (v.text()) {
              case "on" -> true;
              case "off" -> false;
              default -> throw new LineError(v.column(), "expected 'on' or 'off' after 'put-async-in-reclaim=', found "
                  + show(v));
            };
          } else if (t.text().startsWith("hold-time=") && holdTime == null) {
            holdTime = durationMillis(t.sub("hold-time=".length(), t.text().length()));
          } else {
            throw new LineError(t.column(), "expected put-async-in-reclaim=on|off, hold-time=D (each once) or end of "
                + "line, found " + show(t));
          }
        }
        return new FsCommand.Mount(fs, putAsync, holdTime);
      }
      case "unmount":
        return new FsCommand.Unmount(fsName(line.next("a filesystem name")));
      case "memory":
        return memoryCommand(line);
      default:
        return taskCall(line);
    }
  }

  /** {@code total=Np min=Np low=Np high=Np}, all four, any order, {@code min <= low <= high <= total}. */
  private FsCommand memoryCommand(Cursor line) {
    Map<String, Long> values = new HashMap<>();
    List<String> keys = List.of("total", "min", "low", "high");
    Token last = null;
    do {
      Token t = line.next("total=Np, min=Np, low=Np and high=Np");
      last = t;
      int eq = t.text().indexOf('=');
      String key = eq < 0 ? t.text() : t.text().substring(0, eq);
      if (eq < 0 || !keys.contains(key)) {
        throw new LineError(t.column(), "expected total=Np, min=Np, low=Np or high=Np, found " + show(t));
      }
      if (values.containsKey(key)) {
        throw new LineError(t.column(), "duplicate '" + key + "='");
      }
      values.put(key, pages(t.sub(eq + 1, t.text().length())));
    } while (!line.atEnd());
    for (String k : keys) {
      if (!values.containsKey(k)) {
        throw new LineError(last.end(), "expected " + k + "=Np as well (memory needs total, min, low and high), "
            + "found end of line");
      }
    }
    long total = values.get("total");
    long min = values.get("min");
    long low = values.get("low");
    long high = values.get("high");
    if (total < 1 || !(min <= low && low <= high && high <= total)) {
      throw new LineError(last.column(), "expected 0 <= min <= low <= high <= total and total >= 1, found total="
          + total + " min=" + min + " low=" + low + " high=" + high);
    }
    return new FsCommand.Memory(total, min, low, high);
  }

  /** {@code T [flags=…] CALL … [async] [=> CODE]}. */
  private FsCommand taskCall(Cursor line) {
    String task = name(line.next("a task name"), "a task name");
    Set<String> flags = Set.of();
    Token t = line.next(TASK_CALLS);
    if (t.text().startsWith("flags=")) {
      flags = names(t.sub("flags=".length(), t.text().length()), TASK_FLAGS, "a task flag", "'flags='");
      t = line.next(TASK_CALLS);
    }
    FsCommand.Call call;
    switch (t.text()) {
      case "glock": {
        String fs = fsName(line.next("a filesystem name"));
        String glock = glockName(line.next("a glock name TYPE/NUMBER (e.g. 2/1c00)"));
        Token v = line.next("nq, dq, get, put or put-async");
        switch (v.text()) {
          case "nq": {
            String state = word(line.next("a glock state (UN SH DF EX)"), GLOCK_STATES, "a glock state");
            Set<String> hflags = Set.of();
            if (!line.atEnd() && line.peek().text().startsWith("hflags=")) {
              Token h = line.next("hflags=");
              hflags = names(h.sub("hflags=".length(), h.text().length()), HOLDER_FLAGS, "a holder flag", "'hflags='");
            }
            call = new FsCommand.Nq(fs, glock, state, hflags);
            break;
          }
          case "dq", "get", "put", "put-async":
            call = new FsCommand.GlockRefCall(fs, glock, v.text());
            break;
          default:
            throw new LineError(v.column(), "expected nq, dq, get, put or put-async, found " + show(v));
        }
        break;
      }
      case "iget", "iput", "unlink":
        call = new FsCommand.InodeCall(fsName(line.next("a filesystem name")), t.text(),
            ino(line.next("an inode number (decimal or 0xHEX)")));
        break;
      case "drop-caches":
        call = new FsCommand.DropCaches(fsName(line.next("a filesystem name")));
        break;
      case "alloc": {
        long pages = pages(line.next("a page count such as 20p"));
        if (pages < 1) {
          throw new LineError(line.lastColumn(), "expected at least 1p, found 0p");
        }
        String mask = "GFP_KERNEL";
        if (!line.atEnd() && line.peek().text().startsWith("mask=")) {
          Token m = line.next("mask=");
          mask = word(m.sub("mask=".length(), m.text().length()), GFP_MASKS, "a mask");
        }
        call = new FsCommand.Alloc(pages, mask);
        break;
      }
      case "free":
        call = new FsCommand.Free();
        break;
      default:
        throw new LineError(t.column(), "expected " + TASK_CALLS + ", found " + show(t));
    }
    boolean async = false;
    String code = Statement.DEFAULT_CODE;
    while (!line.atEnd()) {
      Token o = line.next("async, => CODE or end of line");
      if (o.text().equals("async") && !async) {
        async = true;
      } else if (o.text().startsWith("=>") && code == Statement.DEFAULT_CODE) {
        code = code(o.text().equals("=>") ? line.next("a result code after '=>' (e.g. OK, TRYAGAIN, ENOMEM)")
            : o.sub(2, o.text().length()));
      } else {
        throw new LineError(o.column(), "expected async, => CODE (each once) or end of line, found " + show(o));
      }
    }
    if (async && code != Statement.DEFAULT_CODE) {
      throw new LineError(line.lastColumn(), "an async call has no result yet: write the code on "
          + "'await nX task " + task + " done => CODE' instead");
    }
    return new FsCommand.TaskCall(task, flags, call, async, code);
  }

  /** Whether an await/expect subject is an fs one: a node ({@code n1}) or {@code dlm}, unless it names a lock. */
  private boolean isFsSubject(Token t) {
    return (t.text().equals("dlm") || t.text().matches("n[0-9]+")) && !lockLines.containsKey(t.text());
  }

  /** The rest of an await/expect on an fs subject. */
  private FsCheck fsCheck(Token subject, Cursor line) {
    if (subject.text().equals("dlm")) {
      return dlmCheck(line);
    }
    Node node = node(subject);
    Token what = line.next("glock, cached, memory or task");
    switch (what.text()) {
      case "glock": {
        String fs = fsName(line.next("a filesystem name"));
        String glock = glockName(line.next("a glock name TYPE/NUMBER (e.g. 2/1c00)"));
        Token k = line.next("state S, gone or holders …");
        switch (k.text()) {
          case "state":
            return new FsCheck.GlockState(node, fs, glock,
                word(line.next("a glock state (UN SH DF EX)"), GLOCK_STATES, "a glock state"));
          case "gone":
            return new FsCheck.GlockState(node, fs, glock, null);
          case "holders": {
            Token list = line.next("holders T:STATE:H|W,… or -");
            List<String> holders = new ArrayList<>();
            if (!list.text().equals("-")) {
              for (Token e : items(split(list, ','), "a holder TASK:STATE:H|W", "'holders'")) {
                String[] parts = e.text().split(":", -1);
                if (parts.length != 3 || !NAME.matcher(parts[0]).matches() || !GLOCK_STATES.contains(parts[1])
                    || !(parts[2].equals("H") || parts[2].equals("W"))) {
                  throw new LineError(e.column(), "expected a holder TASK:STATE:H|W (e.g. T1:EX:H), found " + show(e));
                }
                holders.add(e.text());
              }
            }
            return new FsCheck.GlockHolders(node, fs, glock, holders);
          }
          default:
            throw new LineError(k.column(), "expected state S, gone or holders …, found " + show(k));
        }
      }
      case "cached": {
        String fs = fsName(line.next("a filesystem name"));
        long ino = ino(line.next("an inode number (decimal or 0xHEX)"));
        Token yn = line.next("yes or no");
        if (!yn.text().equals("yes") && !yn.text().equals("no")) {
          throw new LineError(yn.column(), "expected yes or no, found " + show(yn));
        }
        return new FsCheck.Cached(node, fs, ino, yn.text().equals("yes"));
      }
      case "memory": {
        Token c = line.next("free>=high, free<high, free<low, free<min, free>=Np or free<Np");
        String text = c.text();
        boolean atLeast = text.startsWith("free>=");
        if (!atLeast && !text.startsWith("free<")) {
          throw new LineError(c.column(), "expected free>=WATERMARK, free<WATERMARK, free>=Np or free<Np, found "
              + show(c));
        }
        Token v = c.sub(atLeast ? 6 : 5, text.length());
        if (List.of("min", "low", "high").contains(v.text())) {
          return new FsCheck.MemoryFree(node, atLeast, v.text(), 0);
        }
        return new FsCheck.MemoryFree(node, atLeast, null, pages(v));
      }
      case "task": {
        String task = name(line.next("a task name"), "a task name");
        Token st = line.next("done, running or waiting EDGE");
        switch (st.text()) {
          case "done": {
            Optional<String> code = Optional.empty();
            if (!line.atEnd()) {
              Token o = line.next("=> CODE");
              if (!o.text().startsWith("=>")) {
                throw new LineError(o.column(), "expected => CODE or end of line, found " + show(o));
              }
              code = Optional.of(code(o.text().equals("=>") ? line.next("a result code after '=>'")
                  : o.sub(2, o.text().length())));
            }
            return new FsCheck.TaskIs(node, task, "done", null, code);
          }
          case "running":
            return new FsCheck.TaskIs(node, task, "running", null, Optional.empty());
          case "waiting": {
            Token e = line.next("a wait such as waits-glock(EX) or waits-memory");
            if (!e.text().matches("waits-[a-z-]+(\\(.*\\))?|throttled(\\(.*\\))?|reclaims-via(\\(.*\\))?")) {
              throw new LineError(e.column(), "expected a wait such as waits-glock(EX), waits-memory or "
                  + "waits-reply(glock put), found " + show(e));
            }
            return new FsCheck.TaskIs(node, task, "waiting", e.text(), Optional.empty());
          }
          default:
            throw new LineError(st.column(), "expected done, running or waiting EDGE, found " + show(st));
        }
      }
      default:
        throw new LineError(what.column(), "expected glock, cached, memory or task after " + show(subject)
            + ", found " + show(what));
    }
  }

  /** {@code dlm FS T/N gone} or {@code dlm FS T/N grant=… convert=… wait=…} with NODE:MODE entries. */
  private FsCheck dlmCheck(Cursor line) {
    String fs = fsName(line.next("a filesystem name"));
    String glock = glockName(line.next("a glock name TYPE/NUMBER (e.g. 2/1c00)"));
    Token first = line.next("gone, or grant=…, convert=… or wait=…");
    if (first.text().equals("gone")) {
      return new FsCheck.DlmQueues(fs, glock, true, Optional.empty(), Optional.empty(), Optional.empty());
    }
    Map<String, List<String>> queues = new HashMap<>();
    Token t = first;
    while (true) {
      int eq = t.text().indexOf('=');
      String key = eq < 0 ? t.text() : t.text().substring(0, eq);
      if (eq < 0 || !List.of("grant", "convert", "wait").contains(key)) {
        throw new LineError(t.column(), "expected grant=…, convert=… or wait=…, found " + show(t));
      }
      if (queues.containsKey(key)) {
        throw new LineError(t.column(), "duplicate '" + key + "='");
      }
      Token value = t.sub(eq + 1, t.text().length());
      List<String> entries = new ArrayList<>();
      if (!value.text().equals("-")) {
        for (Token e : items(split(value, ','), key.equals("convert") ? "an entry nX:FROM>TO" : "an entry nX:MODE",
            "'" + key + "=' (or - for an empty queue)")) {
          int colon = e.text().indexOf(':');
          if (colon < 0) {
            throw new LineError(e.column(), "expected an entry nX:MODE, found " + show(e));
          }
          node(e.sub(0, colon));
          Token m = e.sub(colon + 1, e.text().length());
          if (key.equals("convert")) {
            conversion(m);
          } else {
            mode(m);
          }
          entries.add(e.text());
        }
      }
      queues.put(key, entries);
      if (line.atEnd()) {
        break;
      }
      t = line.next("grant=…, convert=… or wait=…");
    }
    return new FsCheck.DlmQueues(fs, glock, false, Optional.ofNullable(queues.get("grant")),
        Optional.ofNullable(queues.get("convert")), Optional.ofNullable(queues.get("wait")));
  }

  private static String fsName(Token t) {
    if (!FS_NAME.matcher(t.text()).matches()) {
      throw new LineError(t.column(), "expected a filesystem name (1 to 40 letters, digits, '_', '.', '-'), found "
          + show(t));
    }
    return t.text();
  }

  /** {@code TYPE/NUMBER}: a GFS2 glock type 1..9 and a hex number, as the glock dump prints it. */
  private static String glockName(Token t) {
    var m = GLOCK_NAME.matcher(t.text());
    if (!m.matches()) {
      throw new LineError(t.column(), "expected a glock name TYPE/NUMBER with a type 1..9 and a hex number "
          + "(e.g. 2/1c00), found " + show(t));
    }
    return m.group(1) + "/" + Long.toHexString(Long.parseUnsignedLong(m.group(2), 16));
  }

  private static long ino(Token t) {
    if (!INO.matcher(t.text()).matches()) {
      throw new LineError(t.column(), "expected an inode number (decimal or 0xHEX), found " + show(t));
    }
    return t.text().startsWith("0x") ? Long.parseLong(t.text().substring(2), 16) : Long.parseLong(t.text());
  }

  private static long pages(Token t) {
    var m = PAGES.matcher(t.text());
    if (!m.matches()) {
      throw new LineError(t.column(), "expected a page count such as 20p, found " + show(t));
    }
    return Long.parseLong(m.group(1));
  }

  private static long durationMillis(Token t) {
    var m = DURATION.matcher(t.text());
    if (!m.matches()) {
      throw new LineError(t.column(), "expected a duration such as 500ms, 10s or 2m, found " + show(t));
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> amount;
      case "s" -> amount * 1000;
      default -> amount * 60_000;
    };
  }

  private static String word(Token t, List<String> allowed, String what) {
    if (!allowed.contains(t.text())) {
      throw new LineError(t.column(), "expected " + what + " (" + String.join(" ", allowed) + "), found " + show(t));
    }
    return t.text();
  }

  private static Set<String> names(Token value, List<String> allowed, String what, String after) {
    Set<String> out = new LinkedHashSet<>();
    for (Token piece : items(split(value, ','), what, after)) {
      out.add(word(piece, allowed, what));
    }
    return out;
  }

  // ---------------------------------------------------------------- words

  /** Pieces of {@code t} between separators, with their columns (empty pieces included). */
  private static List<Token> split(Token t, char separator) {
    List<Token> pieces = new ArrayList<>();
    int from = 0;
    String s = t.text();
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == separator) {
        pieces.add(t.sub(from, i));
        from = i + 1;
      }
    }
    return pieces;
  }

  /** The pieces of a comma list, none of them empty. */
  private static List<Token> items(List<Token> pieces, String item, String after) {
    for (int i = 0; i < pieces.size(); i++) {
      Token p = pieces.get(i);
      if (p.text().isEmpty()) {
        if (i == 0) {
          throw new LineError(p.column(), "expected " + item + " after " + after + ", found "
              + (pieces.size() > 1 ? "','" : "nothing"));
        }
        throw new LineError(p.column(), "expected " + item + " after ',', found "
            + (i + 1 < pieces.size() ? "','" : "nothing"));
      }
    }
    return pieces;
  }

  /** A lock name from a {@code lock} statement: valid and not reserved; binds (or rebinds) it. */
  private String newLockName(Token t, int lineNo) {
    String name = name(t, "a lock name");
    if (Vocabulary.RESERVED_LOCK_NAMES.contains(name)) {
      throw new LineError(t.column(), "'" + name + "' cannot name a lock: after await/expect it is a keyword");
    }
    // A second `lock` with a used name rebinds it to the new lock from this line on. Brief §6
    // only says a name stays bound after its lock is destroyed; refusing a re-lock would reject
    // files other people write (e.g. lock, unlock, lock again), so the forgiving reading wins.
    lockLines.put(name, lineNo);
    return name;
  }

  /** A lock name that an earlier {@code lock} statement introduced. */
  private String lockRef(Token t, String expected) {
    if (!NAME.matcher(t.text()).matches()) {
      throw new LineError(t.column(), "expected " + expected + ", found " + show(t));
    }
    String name = t.text();
    if (!lockLines.containsKey(name)) {
      throw new LineError(t.column(), "lock '" + name + "' is not introduced: expected an earlier "
          + "'nX lock " + name + " RESOURCE MODE' statement");
    }
    return name;
  }

  private static String name(Token t, String expected) {
    if (!NAME.matcher(t.text()).matches()) {
      throw new LineError(t.column(), "expected " + expected + " (" + NAME_CHARS + "), found " + show(t));
    }
    return t.text();
  }

  private Node node(Token t) {
    if (!NODE.matcher(t.text()).matches()) {
      throw new LineError(t.column(), "expected a node (n1"
          + (nodes == null ? "…nN" : nodes > 1 ? "…n" + nodes : "") + "), found " + show(t));
    }
    Node node = new Node(Integer.parseInt(t.text().substring(1)));
    if (nodes != null && node.number() > nodes) {
      throw new LineError(t.column(), "expected a node from n1 to n" + nodes + " (the file says 'nodes "
          + nodes + "'), found " + show(t));
    }
    return node;
  }

  private static int count(Token t, String expected) {
    if (!COUNT.matcher(t.text()).matches()) {
      throw new LineError(t.column(), "expected " + expected + ", found " + show(t));
    }
    return Integer.parseInt(t.text());
  }

  private static Mode mode(Token t) {
    return enumValue(Mode.class, t, MODES);
  }

  private static CastStatus castStatus(Token t) {
    return enumValue(CastStatus.class, t, "a cast status (OK EAGAIN EDEADLK ECANCEL EUNLOCK ENOENT)");
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, Token t, String expected) {
    for (E value : type.getEnumConstants()) {
      if (value.name().equals(t.text())) {
        return value;
      }
    }
    throw new LineError(t.column(), "expected " + expected + ", found " + show(t));
  }

  // ---------------------------------------------------------------- errors

  private void addError(SyntaxError error) {
    if (errors.size() < limits.maxErrors()) {
      errors.add(error);
    } else {
      errors.add(new SyntaxError(error.position(), "too many errors (jdlm.cli.scenario.max-errors = "
          + limits.maxErrors() + "); the rest of the file was not checked"));
      stopped = true;
    }
  }

  private static String show(Token t) {
    return t.text().isEmpty() ? "nothing" : show(t.text());
  }

  /**
   * A found word, quoted, on one line and readable whatever the file holds: control and
   * non-ASCII characters become {@code \}{@code uXXXX}, and long words are cut.
   */
  private static String show(String s) {
    StringBuilder b = new StringBuilder("'");
    int limit = Math.min(s.length(), 40);
    for (int i = 0; i < limit; i++) {
      char ch = s.charAt(i);
      if (ch < 0x20 || ch > 0x7e) {
        b.append(String.format("\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    if (s.length() > limit) {
      b.append("...");
    }
    return b.append('\'').toString();
  }

  /** The tokens of one line, read left to right. */
  private static final class Cursor {
    private final List<Token> tokens;
    private int next;

    Cursor(List<Token> tokens) {
      this.tokens = tokens;
    }

    boolean atEnd() {
      return next >= tokens.size();
    }

    /** The next token, or an error "expected …, found end of line" just after the last one. */
    Token next(String expected) {
      if (atEnd()) {
        throw new LineError(tokens.get(tokens.size() - 1).end(), "expected " + expected + ", found end of line");
      }
      return tokens.get(next++);
    }

    /** The next token without consuming it; call only when not {@link #atEnd()}. */
    Token peek() {
      return tokens.get(next);
    }

    /** The column of the last token read, for errors about the statement as a whole. */
    int lastColumn() {
      return tokens.get(Math.max(0, next - 1)).column();
    }

    void end() {
      if (!atEnd()) {
        Token t = tokens.get(next);
        throw new LineError(t.column(), "expected end of line, found " + show(t));
      }
    }
  }
}
