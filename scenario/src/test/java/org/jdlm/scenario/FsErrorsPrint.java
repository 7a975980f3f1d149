package org.jdlm.scenario;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

class FsErrorsPrint {
  static final List<String> BAD = List.of(
      "n1 mount",
      "n1 mount g:s",
      "n1 mount gfs put-async-in-reclaim=maybe",
      "n1 mount gfs hold-time=3",
      "n1 mount gfs colour=red",
      "n1 unmount",
      "n1 memory total=100p min=10p low=20p",
      "n1 memory total=100p min=30p low=20p high=40p",
      "n1 memory total=100 min=10p low=20p high=40p",
      "n1 memory total=100p total=100p",
      "n1 memory size=100p",
      "n1 task",
      "n1 task T",
      "n1 task T frob",
      "n1 task T flags=MEMALOC alloc 1p",
      "n1 task T glock gfs 2/1c00",
      "n1 task T glock gfs 2-1c00 nq EX",
      "n1 task T glock gfs 0/1c00 nq EX",
      "n1 task T glock gfs 2/1c00 nq PR",
      "n1 task T glock gfs 2/1c00 nq EX hflags=TRY,ASYNC",
      "n1 task T glock gfs 2/1c00 lock",
      "n1 task T iget gfs",
      "n1 task T iget gfs -1",
      "n1 task T alloc 10",
      "n1 task T alloc 0p",
      "n1 task T alloc 10p mask=GFP_HIGHUSER",
      "n1 task T alloc 10p async => OK",
      "n1 task T alloc 10p => ok",
      "n1 task T alloc 10p later",
      "n4 mount gfs",
      "expect n1 glock gfs 2/1c00",
      "expect n1 glock gfs 2/1c00 state PR",
      "expect n1 glock gfs 2/1c00 holders T:EX",
      "expect n1 glock gfs 2/1c00 holders T:EX:X",
      "expect n1 cached gfs 12 maybe",
      "expect n1 memory free=high",
      "expect n1 memory free>=huge",
      "expect n1 task T sleeping",
      "expect n1 task T waiting glock",
      "expect n1 task T done OK",
      "expect n1 frob",
      "expect dlm gfs 2/1c00",
      "expect dlm gfs 2/1c00 grant=n1:XX",
      "expect dlm gfs 2/1c00 grant=n9:EX",
      "expect dlm gfs 2/1c00 grant=n1:EX grant=n2:EX",
      "expect dlm gfs 2/1c00 convert=n1:EX",
      "await n1 task T done => ok");

  @Test
  @EnabledIfSystemProperty(named = "print.errors", matches = "true")
  void print() {
    for (String b : BAD) {
      try {
        ScenarioParser.parse("e.scen", "nodes 3\n" + b + "\n", ScenarioSyntaxErrorTest.LIMITS);
        System.out.println("NOERROR " + b);
      } catch (ScenarioSyntaxException e) {
        System.out.println("ERR|" + b + "|" + e.errors().get(0));
      }
    }
  }
}
