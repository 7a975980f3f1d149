package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the input, the parser either returns a scenario or throws {@link ScenarioSyntaxException}
 * whose every message line has the form {@code file:line:col: message}; never any other exception.
 */
class ScenarioParserFuzzProperties {

  static final ScenarioParser.Limits LIMITS = new ScenarioParser.Limits(32, 256, Duration.ofHours(1), 50);

  /** Valid files the mutations start from: the brief's example and one using every form. */
  static final List<String> SEEDS = List.of(resource("brief-section6-example.scen"), String.join("\n",
      "# every statement form", "nodes 4", "lockspace ls-1 lvblen 64", "timeout 500ms",
      "n1 lock A r/1 EX flags=VALBLK lvb=\"x y\" => OK", "n2 lock B r/1 PR nobast lvb=0x00ff",
      "n3 lock C r/2 CW", "n2 convert B EX flags=CONVDEADLK,QUECVT", "n3 cancel C flags=FORCEUNLOCK",
      "n1 unlock A flags=IVVALBLK lvb=z => EBUSY", "await A cast EUNLOCK", "await B bast PR",
      "await fenced n4", "await quiet", "expect A gone", "expect B converting PR>EX",
      "expect B waiting CW", "expect B lvb zero", "expect B lvb 0x01", "expect B sbflags none",
      "expect B sbflags DEMOTED, ALTMODE", "expect C events none", "expect C events cast ECANCEL, bast NL",
      "expect queues r/1 grant=- convert=B:PR>EX", "expect queues r/2 wait=C:CW,D:NL grant=-",
      "expect master r/1 n1", "expect lockspace running", "pause n4", "resume n4", "kill n4",
      "restart n4", "await recovered", "expect lockspace stopped", ""));

  /** Words and punctuation of the language, so mutations land near the grammar's edges. */
  static final List<String> WORDS = List.of("nodes", "lockspace", "lvblen", "timeout", "n0", "n1",
      "n3", "n99", "lock", "convert", "unlock", "cancel", "await", "expect", "kill", "pause", "resume",
      "restart", "quiet", "recovered", "fenced", "queues", "master", "granted", "waiting",
      "converting", "gone", "lvb", "zero", "sbflags", "events", "none", "cast", "bast", "NL", "CR",
      "CW", "PR", "PW", "EX", "OK", "EAGAIN", "flags=", "lvb=", "nobast", "=>", "=> ", "grant=",
      "convert=", "wait=", "-", ",", ":", ">", "=", "#", "\"", "\\", "0x", "0xg", " ", "\t", "\n",
      "\r\n", "\r", "\u0000", "\u00e9", "\u2028", "\uFEFF", "\uD800", "99999999999", "8", "32ms");

  static String resource(String name) {
    try (InputStream in = ScenarioParserFuzzProperties.class.getResourceAsStream("/scenarios/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertParsesOrReportsSyntaxErrors(String text) {
    try {
      assertThat(ScenarioParser.parse("fuzz.scen", text, LIMITS)).isNotNull();
    } catch (ScenarioSyntaxException e) {
      assertThat(e.errors()).isNotEmpty();
      String[] lines = e.getMessage().split("\n", -1);
      assertThat(lines).hasSameSizeAs(e.errors().toArray());
      for (String line : lines) {
        assertThat(line).matches("^.+:\\d+:\\d+: .+");
      }
    }
  }

  @Property(tries = 2000)
  void anyStringParsesOrFailsWithFormattedErrors(@ForAll @Size(max = 300) List<Character> chars) {
    StringBuilder b = new StringBuilder();
    chars.forEach(b::append);
    assertParsesOrReportsSyntaxErrors(b.toString());
  }

  @Property(tries = 1000)
  void anyBytesDecodedParseOrFailWithFormattedErrors(@ForAll @Size(max = 400) byte[] bytes) {
    assertParsesOrReportsSyntaxErrors(new String(bytes, StandardCharsets.UTF_8));
    assertParsesOrReportsSyntaxErrors(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  @Property(tries = 1000)
  void wordSaladParsesOrFailsWithFormattedErrors(@ForAll("wordSalad") String text) {
    assertParsesOrReportsSyntaxErrors(text);
  }

  @Property(tries = 3000)
  void mutatedValidFilesParseOrFailWithFormattedErrors(@ForAll("mutatedFiles") String text) {
    assertParsesOrReportsSyntaxErrors(text);
  }

  @Property(tries = 5)
  void theSeedsThemselvesAreValid(@ForAll("seeds") String text) throws Exception {
    assertThat(ScenarioParser.parse("seed.scen", text, LIMITS).statements()).isNotEmpty();
  }

  @Provide
  Arbitrary<String> seeds() {
    return Arbitraries.of(SEEDS);
  }

  @Provide
  Arbitrary<String> wordSalad() {
    Arbitrary<String> word = Arbitraries.oneOf(Arbitraries.of(WORDS),
        Arbitraries.strings().ascii().ofMaxLength(6));
    return word.list().ofMaxSize(60).map(ws -> String.join(" ", ws))
        .map(s -> "nodes 3\nn1 lock L1 R1 PR\n" + s);
  }

  @Provide
  Arbitrary<String> mutatedFiles() {
    Arbitrary<Mutation> mutation = Combinators.combine(
        Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 10_000),
        Arbitraries.integers().between(0, 10_000), Arbitraries.of(WORDS))
        .as(Mutation::new);
    return Combinators.combine(Arbitraries.of(SEEDS), mutation.list().ofMinSize(1).ofMaxSize(6))
        .as((seed, mutations) -> {
          String text = seed;
          for (Mutation m : mutations) {
            text = m.apply(text);
          }
          return text;
        });
  }

  /** One edit of a file: delete a span, insert a word, replace a word, or move, copy or drop a line. */
  record Mutation(int kind, int a, int b, String word) {
    String apply(String text) {
      int n = text.length();
      int i = n == 0 ? 0 : a % (n + 1);
      int j = Math.min(n, i + b % 12);
      List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
      int li = a % lines.size();
      int lj = b % lines.size();
      switch (kind) {
        case 0:
          return text.substring(0, i) + text.substring(j);
        case 1:
          return text.substring(0, i) + word + text.substring(i);
        case 2:
          return text.substring(0, i) + word + text.substring(j);
        case 3:
          lines.add(lj, lines.get(li));
          return String.join("\n", lines);
        case 4:
          lines.remove(li);
          return String.join("\n", lines);
        default:
          String line = lines.remove(li);
          lines.add(Math.min(lj, lines.size()), line);
          return String.join("\n", lines);
      }
    }
  }
}
