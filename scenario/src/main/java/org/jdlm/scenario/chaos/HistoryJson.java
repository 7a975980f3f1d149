package org.jdlm.scenario.chaos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.History;

/**
 * The chaos history as JSON lines (docs/chaos.md): one {@link Event} per line, its kind in the
 * {@code event} field ({@code op}, {@code fault-start}, {@code fault-end}, {@code fenced}), absent
 * fields meaning {@code null}. The core records stay free of Jackson: the mapping is a mix-in.
 */
public final class HistoryJson {

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Event.Op.class, name = "op"),
      @JsonSubTypes.Type(value = Event.FaultStart.class, name = "fault-start"),
      @JsonSubTypes.Type(value = Event.FaultEnd.class, name = "fault-end"),
      @JsonSubTypes.Type(value = Event.Fenced.class, name = "fenced")})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private interface EventMixIn {}

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addMixIn(Event.class, EventMixIn.class)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private HistoryJson() {}

  /** One event as one line of JSON (no newline). */
  public static String toLine(Event event) {
    try {
      return MAPPER.writerFor(Event.class).writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + event + " as JSON", e);
    }
  }

  /** Parses one line; a bad line gives an {@link IllegalArgumentException} with the reason. */
  public static Event fromLine(String line) {
    try {
      return MAPPER.readValue(line, Event.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    }
  }

  /** Writes every event, one per line. */
  public static void write(History history, Writer out) throws IOException {
    for (Event e : history.events()) {
      out.write(toLine(e));
      out.write('\n');
    }
    out.flush();
  }

  /**
   * Reads a history. Blank lines are skipped; a bad line gives an {@link IllegalArgumentException}
   * naming the line number and the reason.
   */
  public static History read(Reader in) {
    List<Event> events = new ArrayList<>();
    BufferedReader reader = new BufferedReader(in);
    int n = 0;
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          events.add(fromLine(line));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("history line " + n + ": " + e.getMessage(), e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading history line " + (n + 1), e);
    }
    return new History(events);
  }
}
