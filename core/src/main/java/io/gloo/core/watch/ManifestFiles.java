package io.gloo.core.watch;

import io.gloo.core.store.SourceProblem;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** Finds manifest files under directories: which names count, which are hidden or editor leftovers. */
final class ManifestFiles {

  /**
   * Manifest files (sorted, deduplicated), the directories they were found in, paths that do not exist, and what
   * could not be read: entries with a manifest name that are not regular files (a FIFO, a dangling symbolic link),
   * and directories that cannot be opened, each with why.
   */
  record Listing(List<Path> files, List<Path> directories, List<SourceProblem> problems,
      SortedMap<Path, String> unreadable) {

    /** Why {@code file} (a manifest this listing does not have) cannot be read: it or a directory above it. */
    String unreadableReason(Path file) {
      for (Path p = file; p != null; p = p.getParent()) {
        String reason = unreadable.get(p);
        if (reason != null) {
          return p.equals(file) ? reason : "its directory " + p + " cannot be read: " + reason;
        }
      }
      return null;
    }
  }

  private ManifestFiles() {}

  static boolean isManifestName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !isIgnoredName(name) && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
  }

  /** Hidden files and directories (including Kubernetes' {@code ..data} mounts), and editor temp/backup files. */
  static boolean isIgnoredName(String name) {
    return name.startsWith(".") || name.startsWith("#") || name.endsWith("~")
        || name.endsWith(".swp") || name.endsWith(".swx") || name.endsWith(".tmp");
  }

  /**
   * Lists manifests under each path. A directory is walked recursively; a file named directly is taken whatever its
   * extension (the user asked for it). Symbolic links under a directory are followed only when their target is
   * inside that directory, so ConfigMap volume mounts (whose files link into a hidden {@code ..data} directory) work,
   * while a link to {@code /etc/shadow} or {@code /} is reported as unreadable and never read.
   */
  static Listing list(List<Path> roots) {
    TreeSet<Path> files = new TreeSet<>();
    List<Path> directories = new ArrayList<>();
    List<SourceProblem> problems = new ArrayList<>();
    TreeMap<Path, String> unreadable = new TreeMap<>();
    for (Path root : roots) {
      if (Files.isDirectory(root)) {
        walk(root, files, directories, unreadable);
      } else if (Files.isRegularFile(root)) {
        files.add(root);
      } else {
        String what = FileStat.describeNonFile(root);
        problems.add(new SourceProblem(root.toString(), 0, 0,
            what == null ? "path does not exist" : "cannot be read: it is " + what));
      }
    }
    return new Listing(List.copyOf(files), List.copyOf(directories), List.copyOf(problems),
        Collections.unmodifiableSortedMap(unreadable));
  }

  private static void walk(Path root, TreeSet<Path> files, List<Path> directories, TreeMap<Path, String> unreadable) {
    Path realRoot;
    try {
      realRoot = root.toRealPath();
    } catch (IOException e) {
      unreadable.put(root, FileStat.reason(e));
      return;
    }
    try {
      Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(root) && isIgnoredName(dir.getFileName().toString())) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              if (!dir.equals(root)) {
                String outside = linkOutside(dir, realRoot);
                if (outside != null) {
                  unreadable.put(dir, outside);
                  return FileVisitResult.SKIP_SUBTREE;
                }
              }
              directories.add(dir);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (isManifestName(file.getFileName().toString())) {
                String outside = linkOutside(file, realRoot);
                if (outside != null) {
                  unreadable.put(file, outside);
                } else if (attrs.isRegularFile()) {
                  files.add(file);
                } else if (!attrs.isDirectory()) { // a FIFO, a socket, a dangling symbolic link: never read
                  String what = FileStat.describeNonFile(file);
                  if (what != null) {
                    unreadable.put(file, "it is " + what + ", not a file");
                  }
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              // Deleted while walking: nothing to say. A directory we may not open, or a manifest we may not stat:
              // say so, so that what it held is not silently dropped. A symbolic link loop: skipped.
              String name = file.getFileName() == null ? "" : file.getFileName().toString();
              if (!(e instanceof NoSuchFileException) && !(e instanceof FileSystemLoopException)
                  && !isIgnoredName(name) && (isManifestName(name) || Files.isDirectory(file))) {
                unreadable.put(file, FileStat.reason(e));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // walkFileTree only throws what the visitor throws, and ours does not
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Why {@code path} must not be followed: it is a symbolic link whose target lies outside {@code realRoot} (the
   * config directory, links resolved); null when it is no link or its target is inside. Checking each link met is
   * enough: a directory reached through a link inside the root holds, unless they are links themselves, entries
   * inside its target, hence inside the root.
   */
  static String linkOutside(Path path, Path realRoot) {
    if (!Files.isSymbolicLink(path)) {
      return null;
    }
    try {
      Path target = path.toRealPath();
      return target.startsWith(realRoot) ? null
          : "it is a symbolic link to " + target + ", outside the config directory " + realRoot + ": not followed";
    } catch (IOException e) {
      return null; // dangling: the caller reports it as such
    }
  }
}
