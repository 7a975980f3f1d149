package org.jdlm.scenario.run;

import java.util.Map;

/**
 * One member's filesystem and kernel side as the runner drives it: {@link FsAgent} itself in
 * in-process mode, {@code POST /scenario/fs} on the member ({@link HttpNodeDriver}) in jvm mode.
 * The query map is the wire format of both (docs/scenarios.md "The member's scenario endpoints").
 */
public interface FsDriver {

  /**
   * Carries out one request ({@code op=…}, {@code run=…} and the op's parameters) and returns the
   * reply text; a refused request throws with the reason (a {@link ScenarioWire.BadRequest} in
   * process, an {@link IllegalStateException} carrying the member's HTTP 400 line over the wire).
   */
  String fs(Map<String, String> query);
}
