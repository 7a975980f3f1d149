package org.jdlm.common.wire;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The validated union of every module's {@link WireRegistrations}: which class has which wire id.
 *
 * <p>Built once per serializer from configuration ({@link #fromConfig}); the node assembly may also
 * call {@link #fromConfig} itself before it starts an ActorSystem, to fail fast with every problem
 * listed. The checks:
 * <ul>
 *   <li>each key of {@code jdlm.wire.registrations} has a range in {@code jdlm.wire.id-ranges},
 *       and ranges neither overlap each other nor the wire format's own ids below
 *       {@value #FIRST_MODULE_ID} (Kryo's primitives and {@link WireFormat}'s built-ins);</li>
 *   <li>each id lies inside the range of the module that registers it;</li>
 *   <li>no id and no class is registered twice;</li>
 *   <li>only concrete records, enums and classes are registered: collections, actor refs, strings
 *       and boxed primitives are built in, and an interface would never be the class on the wire.</li>
 * </ul>
 * This class has no Pekko dependency, so it can be tested and used without an ActorSystem.
 */
public final class WireRegistry {

  /** Ids below this belong to the wire format itself (Kryo's 0-9, {@link WireFormat}'s 10-99). */
  public static final int FIRST_MODULE_ID = 100;

  /** A module's block of ids, and the package prefix used to tell users where to register. */
  public record IdRange(String module, int first, int last, String packagePrefix) {
    public IdRange {
      if (first > last) {
        throw new IllegalArgumentException("id range of " + module + " is empty: first " + first
            + " > last " + last);
      }
    }

    boolean contains(int id) {
      return id >= first && id <= last;
    }

    boolean overlaps(IdRange other) {
      return first <= other.last && other.first <= last;
    }

    @Override public String toString() {
      return first + "-" + last;
    }
  }

  /** One registered class: its id, and which module's registrations declared it. */
  public record Entry(int id, Class<?> type, String module) {}

  private final List<Entry> entries;
  private final Map<String, IdRange> ranges;
  private final Map<String, String> registrationClasses;

  private WireRegistry(List<Entry> entries, Map<String, IdRange> ranges,
      Map<String, String> registrationClasses) {
    this.entries = List.copyOf(entries);
    this.ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    this.registrationClasses = Collections.unmodifiableMap(new LinkedHashMap<>(registrationClasses));
  }

  /**
   * Reads {@code jdlm.wire.id-ranges} and {@code jdlm.wire.registrations} from {@code config} (the
   * root config), instantiates each registrations class through {@code loader} and validates.
   *
   * @throws WireRegistrationException listing every problem found
   */
  public static WireRegistry fromConfig(Config config, ClassLoader loader) {
    List<String> problems = new ArrayList<>();
    Map<String, IdRange> ranges = readRanges(config.getConfig("jdlm.wire.id-ranges"), problems);
    Config registrations = config.getConfig("jdlm.wire.registrations");
    Map<String, WireRegistrations> modules = new TreeMap<>();
    Map<String, String> classNames = new TreeMap<>();
    for (String module : registrations.root().keySet()) {
      String path = "jdlm.wire.registrations." + module;
      String className;
      try {
        className = registrations.getString(quoted(module));
      } catch (ConfigException e) {
        problems.add(path + " must be a class name string: " + e.getMessage());
        continue;
      }
      classNames.put(module, className);
      WireRegistrations instance = instantiate(path, className, loader, problems);
      if (instance != null) {
        modules.put(module, instance);
      }
    }
    if (!problems.isEmpty()) {
      throw new WireRegistrationException(problems);
    }
    return of(ranges, modules, classNames);
  }

  /**
   * Validates the given modules' registrations against {@code ranges}; {@code classNames} names
   * each module's registrations class for error messages and hints.
   *
   * @throws WireRegistrationException listing every problem found
   */
  public static WireRegistry of(Map<String, IdRange> ranges, Map<String, WireRegistrations> modules,
      Map<String, String> classNames) {
    List<String> problems = new ArrayList<>();
    checkRanges(ranges, problems);
    List<Entry> entries = new ArrayList<>();
    Map<Integer, Entry> byId = new HashMap<>();
    Map<Class<?>, Entry> byClass = new HashMap<>();
    for (Map.Entry<String, WireRegistrations> module : new TreeMap<>(modules).entrySet()) {
      String name = module.getKey();
      IdRange range = ranges.get(name);
      if (range == null) {
        problems.add("jdlm.wire.registrations." + name + " has no id range: add jdlm.wire.id-ranges."
            + name + " (known ranges: " + ranges.keySet() + ")");
        continue;
      }
      List<Entry> declared = new ArrayList<>();
      try {
        module.getValue().register(new WireRegistrations.Registrar() {
          @Override public WireRegistrations.Registrar register(Class<?> type, int id) {
            declared.add(new Entry(id, type, name));
            return this;
          }
        });
      } catch (RuntimeException e) {
        problems.add(name + "'s registrations (" + classNames.get(name) + ") failed: " + e);
        continue;
      }
      for (Entry entry : declared) {
        String problem = checkEntry(entry, range, byId, byClass);
        if (problem != null) {
          problems.add(problem);
          continue;
        }
        byId.put(entry.id(), entry);
        byClass.put(entry.type(), entry);
        entries.add(entry);
      }
    }
    if (!problems.isEmpty()) {
      throw new WireRegistrationException(problems);
    }
    entries.sort(Comparator.comparingInt(Entry::id));
    return new WireRegistry(entries, ranges, classNames);
  }

  /** Every registered class, ordered by id. */
  public List<Entry> entries() {
    return entries;
  }

  /** The id ranges by module name, as configured. */
  public Map<String, IdRange> ranges() {
    return ranges;
  }

  /**
   * Where {@code type} should be registered, for the error raised when it is not: the module is
   * guessed from the package (longest matching {@code package} in {@code jdlm.wire.id-ranges}).
   */
  public String registrationHint(Class<?> type) {
    String name = type.getName();
    IdRange best = null;
    for (IdRange range : ranges.values()) {
      String prefix = range.packagePrefix();
      boolean matches = !prefix.isEmpty() && (name.startsWith(prefix + ".") || name.equals(prefix));
      if (matches && (best == null || prefix.length() > best.packagePrefix().length())) {
        best = range;
      }
    }
    if (best == null) {
      return "register it, with an unused id in that module's range, in the WireRegistrations of the"
          + " module that sends it (listed under jdlm.wire.registrations in its reference.conf)";
    }
    String declaredBy = registrationClasses.getOrDefault(best.module(),
        "a WireRegistrations class that you list as jdlm.wire.registrations." + best.module());
    return "register it in " + best.module() + "'s WireRegistrations (" + declaredBy
        + ") with an unused id in " + best;
  }

  private static String checkEntry(Entry entry, IdRange range, Map<Integer, Entry> byId,
      Map<Class<?>, Entry> byClass) {
    Class<?> type = entry.type();
    String who = entry.module() + " registers ";
    if (type == null) {
      return who + "a null class under id " + entry.id();
    }
    String refused = WireFormat.refusalReason(type);
    if (refused != null) {
      return who + type.getName() + " (id " + entry.id() + "), but " + refused;
    }
    if (!range.contains(entry.id())) {
      return who + type.getName() + " with id " + entry.id() + ", outside its range " + range;
    }
    Entry sameId = byId.get(entry.id());
    if (sameId != null) {
      return "id " + entry.id() + " is registered twice: " + sameId.type().getName() + " ("
          + sameId.module() + ") and " + type.getName() + " (" + entry.module() + ")";
    }
    Entry sameClass = byClass.get(type);
    if (sameClass != null) {
      return "class " + type.getName() + " is registered twice: id " + sameClass.id() + " ("
          + sameClass.module() + ") and id " + entry.id() + " (" + entry.module() + ")";
    }
    return null;
  }

  private static void checkRanges(Map<String, IdRange> ranges, List<String> problems) {
    List<IdRange> list = new ArrayList<>(ranges.values());
    list.sort(Comparator.comparingInt(IdRange::first));
    for (int i = 0; i < list.size(); i++) {
      IdRange range = list.get(i);
      if (range.first() < FIRST_MODULE_ID) {
        problems.add("id range of " + range.module() + " (" + range + ") reaches below "
            + FIRST_MODULE_ID + "; ids 0-" + (FIRST_MODULE_ID - 1) + " belong to the wire format");
      }
      if (i > 0 && list.get(i - 1).overlaps(range)) {
        problems.add("id ranges of " + list.get(i - 1).module() + " (" + list.get(i - 1) + ") and "
            + range.module() + " (" + range + ") overlap");
      }
    }
  }

  private static Map<String, IdRange> readRanges(Config config, List<String> problems) {
    Map<String, IdRange> ranges = new TreeMap<>();
    Set<String> modules = config.root().keySet();
    for (String module : modules) {
      try {
        Config range = config.getConfig(quoted(module));
        ranges.put(module, new IdRange(module, range.getInt("first"), range.getInt("last"),
            range.hasPath("package") ? range.getString("package") : ""));
      } catch (ConfigException | IllegalArgumentException e) {
        problems.add("jdlm.wire.id-ranges." + module + " must be { first = N, last = M, package = \"...\" }: "
            + e.getMessage());
      }
    }
    return ranges;
  }

  private static WireRegistrations instantiate(String path, String className, ClassLoader loader,
      List<String> problems) {
    try {
      Class<?> type = Class.forName(className, true, loader);
      if (!WireRegistrations.class.isAssignableFrom(type)) {
        problems.add(path + " = " + className + " does not implement " + WireRegistrations.class.getName());
        return null;
      }
      return (WireRegistrations) type.getConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      problems.add(path + " = " + className + ": no such class on the class path");
    } catch (NoSuchMethodException e) {
      problems.add(path + " = " + className + " needs a public no-argument constructor");
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      problems.add(path + " = " + className + " could not be created: " + e);
    }
    return null;
  }

  /** Module names contain '-' (dlm-actors); quoting keeps HOCON from reading them as paths. */
  private static String quoted(String key) {
    return "\"" + key + "\"";
  }
}
