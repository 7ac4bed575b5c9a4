package io.gloo.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What keeps objects of a class alive, read from an HPROF heap dump ({@code jcmd PID GC.heap_dump FILE}; no tool
 * beside the JDK here): a breadth-first walk from the GC roots gives every reachable object its shortest path from a
 * root; the paths to the instances of the class are grouped by their chain of {@code Class.field} steps (array
 * indices and the repeated steps of linked structures folded), most frequent first, with the nearest holder in one of
 * the given packages (default {@code io.gloo}).
 *
 * <pre>
 * java -Xmx4g -cp bench/target/benchmarks.jar io.gloo.bench.HeapPaths DUMP.hprof \
 *     io.envoyproxy.envoy.config.route.v3.Route [paths to print (10)] [holder package prefix (io.gloo.)]
 * </pre>
 *
 * Edges are what the collector follows: instance fields (but a {@code java.lang.ref.Reference}'s referent), object
 * array elements, an object's class, a class's static fields, super class and loader. One thread's locals are roots too, so objects in use at the dump show up there.
 */
public final class HeapPaths {

  private final ByteBuffer dump;
  private final int idSize;
  private final Map<Long, String> strings = new HashMap<>();
  private final Map<Long, String> classNames = new HashMap<>();
  private final Map<Long, ClassInfo> classes = new HashMap<>();
  private final LongLongMap positions = new LongLongMap(1 << 22); // object id -> position of its sub-record
  private final List<long[]> roots = new ArrayList<>(); // {id, root kind}

  private record Field(String name, int type) {}

  private record ClassInfo(long id, long superId, long loaderId, List<Field> fields, Map<String, Long> statics) {}

  private HeapPaths(ByteBuffer dump) {
    this.dump = dump;
    while (dump.get() != 0) {
      // "JAVA PROFILE 1.0.2\0"
    }
    this.idSize = dump.getInt();
    dump.getLong();
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: HeapPaths DUMP.hprof CLASS [PATHS] [HOLDER_PACKAGE]");
      System.exit(2);
    }
    int shown = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    String holderPackage = args.length > 3 ? args[3] : "io.gloo.";
    try (RandomAccessFile file = new RandomAccessFile(args[0], "r")) {
      if (file.length() > Integer.MAX_VALUE) {
        throw new IOException("dumps over 2 GiB are not supported");
      }
      MappedByteBuffer buffer = file.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, file.length());
      HeapPaths heap = new HeapPaths(buffer);
      heap.index();
      heap.report(args[1], shown, holderPackage);
    }
  }

  private long id() {
    return idSize == 8 ? dump.getLong() : dump.getInt() & 0xffffffffL;
  }

  private int size(int type) {
    return switch (type) {
      case 2 -> idSize;
      case 4, 8 -> 1;
      case 5, 9 -> 2;
      case 6, 10 -> 4;
      case 7, 11 -> 8;
      default -> throw new IllegalStateException("unknown basic type " + type);
    };
  }

  private void index() {
    while (dump.hasRemaining()) {
      int tag = dump.get() & 0xff;
      dump.getInt();
      long length = dump.getInt() & 0xffffffffL;
      int end = (int) (dump.position() + length);
      switch (tag) {
        case 0x01 -> {
          long id = id();
          byte[] utf8 = new byte[(int) (length - idSize)];
          dump.get(utf8);
          strings.put(id, new String(utf8, StandardCharsets.UTF_8));
        }
        case 0x02 -> {
          dump.getInt();
          long classId = id();
          dump.getInt();
          classNames.put(classId, strings.getOrDefault(id(), "?").replace('/', '.'));
        }
        case 0x0c, 0x1c -> heapSegment(end);
        default -> { }
      }
      dump.position(end);
    }
  }

  private void heapSegment(int end) {
    while (dump.position() < end) {
      int start = dump.position();
      int tag = dump.get() & 0xff;
      switch (tag) {
        case 0xff, 0x05, 0x07 -> roots.add(new long[] {id(), tag});
        case 0x01 -> {
          roots.add(new long[] {id(), tag});
          id();
        }
        case 0x02, 0x03, 0x08 -> {
          roots.add(new long[] {id(), tag});
          dump.getInt();
          dump.getInt();
        }
        case 0x04, 0x06 -> {
          roots.add(new long[] {id(), tag});
          dump.getInt();
        }
        case 0x20 -> classDump();
        case 0x21 -> {
          positions.put(id(), start);
          dump.getInt();
          id();
          int length = dump.getInt();
          dump.position(dump.position() + length);
        }
        case 0x22 -> {
          positions.put(id(), start);
          dump.getInt();
          int n = dump.getInt();
          id();
          dump.position(dump.position() + n * idSize);
        }
        case 0x23 -> {
          positions.put(id(), start);
          dump.getInt();
          int n = dump.getInt();
          int type = dump.get();
          dump.position(dump.position() + n * size(type));
        }
        default -> throw new IllegalStateException("unknown heap dump sub-record 0x" + Integer.toHexString(tag)
            + " at " + start);
      }
    }
  }

  private void classDump() {
    long id = id();
    dump.getInt();
    long superId = id();
    long loaderId = id();
    id();
    id();
    id();
    id();
    dump.getInt();
    int constants = dump.getShort() & 0xffff;
    for (int i = 0; i < constants; i++) {
      dump.getShort();
      dump.position(dump.position() + size(dump.get()));
    }
    Map<String, Long> statics = new LinkedHashMap<>();
    int staticCount = dump.getShort() & 0xffff;
    for (int i = 0; i < staticCount; i++) {
      String name = strings.getOrDefault(id(), "?");
      int type = dump.get();
      if (type == 2) {
        statics.put(name, id());
      } else {
        dump.position(dump.position() + size(type));
      }
    }
    List<Field> fields = new ArrayList<>();
    int fieldCount = dump.getShort() & 0xffff;
    for (int i = 0; i < fieldCount; i++) {
      fields.add(new Field(strings.getOrDefault(id(), "?"), dump.get()));
    }
    classes.put(id, new ClassInfo(id, superId, loaderId, fields, statics));
  }

  /** The class of an object (for a class: the class's own id, named "class X"), or -1 for primitive arrays. */
  private String className(long id) {
    if (classes.containsKey(id)) {
      return "class " + classNames.getOrDefault(id, "?");
    }
    long pos = positions.get(id);
    if (pos < 0) {
      return "?";
    }
    int tag = dump.get((int) pos) & 0xff;
    dump.position((int) pos + 1 + idSize + 4);
    return switch (tag) {
      case 0x21 -> classNames.getOrDefault(id(), "?");
      case 0x22 -> {
        dump.getInt();
        yield classNames.getOrDefault(id(), "?");
      }
      default -> "primitive[]";
    };
  }

  /** Calls {@code visit(label, referent)} for every reference the object holds. */
  private void references(long id, RefVisitor visit) {
    ClassInfo asClass = classes.get(id);
    if (asClass != null) {
      asClass.statics().forEach((name, ref) -> visit.ref("static " + name, ref));
      visit.ref("<super>", asClass.superId());
      visit.ref("<loader>", asClass.loaderId());
      return;
    }
    long pos = positions.get(id);
    if (pos < 0) {
      return;
    }
    int tag = dump.get((int) pos) & 0xff;
    dump.position((int) pos + 1 + idSize + 4);
    if (tag == 0x21) {
      long classId = id();
      dump.getInt();
      visit.ref("<class>", classId);
      List<long[]> refs = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (ClassInfo c = classes.get(classId); c != null; c = classes.get(c.superId())) {
        boolean reference = "java.lang.ref.Reference".equals(classNames.get(c.id()));
        for (Field f : c.fields()) {
          if (f.type() == 2 && reference && (f.name().equals("referent") || f.name().equals("discovered"))) {
            id(); // not a strong reference: what only a Reference holds is not kept by it
          } else if (f.type() == 2) {
            refs.add(new long[] {id()});
            names.add(f.name());
          } else {
            dump.position(dump.position() + size(f.type()));
          }
        }
      }
      for (int i = 0; i < refs.size(); i++) {
        visit.ref(names.get(i), refs.get(i)[0]);
      }
    } else if (tag == 0x22) {
      int n = dump.getInt();
      long classId = id();
      visit.ref("<class>", classId);
      long[] elements = new long[n];
      for (int i = 0; i < n; i++) {
        elements[i] = id();
      }
      for (long element : elements) {
        visit.ref("[]", element);
      }
    }
  }

  @FunctionalInterface
  private interface RefVisitor {
    void ref(String label, long referent);
  }

  private void report(String target, int shown, String holderPackage) {
    LongLongMap parent = new LongLongMap(positions.size() * 2 + classes.size() * 2 + 16);
    ArrayDeque<Long> queue = new ArrayDeque<>();
    for (long[] root : roots) {
      if (root[0] != 0 && !parent.containsKey(root[0])) {
        parent.put(root[0], -root[1] - 1); // negative: a root of that kind
        queue.add(root[0]);
      }
    }
    List<Long> found = new ArrayList<>();
    while (!queue.isEmpty()) {
      long id = queue.poll();
      if (className(id).equals(target)) {
        found.add(id);
      }
      references(id, (label, ref) -> {
        if (ref != 0 && !parent.containsKey(ref) && (positions.get(ref) >= 0 || classes.containsKey(ref))) {
          parent.put(ref, id);
          queue.add(ref);
        }
      });
    }
    System.out.printf("%d objects, %d classes, %d roots; %d reachable instances of %s%n", positions.size(),
        classes.size(), roots.size(), found.size(), target);
    Map<String, Integer> bySignature = new HashMap<>();
    Map<String, String> example = new HashMap<>();
    Map<String, Integer> byHolder = new HashMap<>();
    for (long id : found) {
      List<String> steps = path(id, parent);
      String signature = signature(steps);
      bySignature.merge(signature, 1, Integer::sum);
      example.putIfAbsent(signature, String.join("\n    ", steps));
      String holder = "(none in " + holderPackage + ")";
      for (int i = steps.size() - 1; i >= 0; i--) {
        if (steps.get(i).startsWith(holderPackage)) {
          holder = steps.get(i);
          break;
        }
      }
      byHolder.merge(holder, 1, Integer::sum);
    }
    System.out.println("\nnearest holder in " + holderPackage + " (instances):");
    byHolder.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(shown)
        .forEach(e -> System.out.printf("%8d  %s%n", e.getValue(), e.getKey()));
    System.out.println("\nshortest paths from a GC root, grouped (instances; an example path):");
    bySignature.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(shown)
        .forEach(e -> System.out.printf("%8d  %s%n", e.getValue(), example.get(e.getKey())));
  }

  /** From the root to the object: "Class.field" per step, the root's kind first. */
  private List<String> path(long id, LongLongMap parent) {
    List<String> steps = new ArrayList<>();
    long child = id;
    for (long p = parent.get(child); ; p = parent.get(child)) {
      if (p < 0) {
        steps.add(0, "root " + rootKind((int) (-p - 1)) + ": " + className(child));
        return steps;
      }
      String[] label = {"?"};
      final long target = child;
      references(p, (l, ref) -> {
        if (ref == target && label[0].equals("?")) {
          label[0] = l;
        }
      });
      steps.add(0, className(p) + " ." + label[0]);
      child = p;
    }
  }

  /** A path with its repeated steps folded (linked nodes, nested arrays): what groups alike paths. */
  private static String signature(List<String> steps) {
    StringBuilder out = new StringBuilder();
    String previous = null;
    for (String step : steps) {
      if (!step.equals(previous)) {
        out.append(step).append(" > ");
      }
      previous = step;
    }
    return out.toString();
  }

  private static String rootKind(int tag) {
    return switch (tag) {
      case 0x01 -> "JNI global";
      case 0x02 -> "JNI local";
      case 0x03 -> "Java frame";
      case 0x04 -> "native stack";
      case 0x05 -> "system class";
      case 0x06 -> "thread block";
      case 0x07 -> "monitor";
      case 0x08 -> "thread";
      default -> "unknown";
    };
  }

  /** Open addressing long → long map (missing: -1 from get); keys are non-zero object ids. */
  private static final class LongLongMap {
    private long[] keys;
    private long[] values;
    private int size;

    LongLongMap(int capacity) {
      int n = Integer.highestOneBit(Math.max(16, capacity) - 1) << 1;
      keys = new long[n];
      values = new long[n];
    }

    int size() {
      return size;
    }

    private int slot(long key) {
      int mask = keys.length - 1;
      int i = (int) (mix(key) & mask);
      while (keys[i] != 0 && keys[i] != key) {
        i = (i + 1) & mask;
      }
      return i;
    }

    private static long mix(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return h ^ (h >>> 29);
    }

    void put(long key, long value) {
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      int i = slot(key);
      if (keys[i] == 0) {
        keys[i] = key;
        size++;
      }
      values[i] = value;
    }

    long get(long key) {
      int i = slot(key);
      return keys[i] == 0 ? -1 : values[i];
    }

    boolean containsKey(long key) {
      return keys[slot(key)] != 0;
    }

    private void grow() {
      long[] oldKeys = keys;
      long[] oldValues = values;
      keys = new long[oldKeys.length * 2];
      values = new long[oldKeys.length * 2];
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != 0) {
          put(oldKeys[i], oldValues[i]);
        }
      }
    }
  }
}
