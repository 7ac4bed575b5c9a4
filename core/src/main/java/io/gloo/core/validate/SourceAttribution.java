package io.gloo.core.validate;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.gloo.core.store.ResourceKey;
import io.gloo.core.translate.xds.SourceMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Kubernetes resources behind a field path: follows the path from the xDS resource and keeps the source
 * metadata ({@link SourceMetadata}) of the deepest message on it that has some. Stops at an {@code Any} (packed
 * configs carry no source metadata).
 */
final class SourceAttribution {

  private SourceAttribution() {}

  static List<ResourceKey> sources(Message resource, String path) {
    List<ResourceKey> best = of(resource);
    Message current = resource;
    FieldDescriptor pendingRepeated = null;
    for (Object segment : segments(path)) {
      Message next = null;
      if (segment instanceof String field) {
        if (pendingRepeated != null) {
          break;
        }
        FieldDescriptor fd = current.getDescriptorForType().findFieldByName(field);
        if (fd == null || fd.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          break;
        }
        if (fd.isRepeated()) {
          pendingRepeated = fd;
          continue;
        }
        if (!current.hasField(fd)) {
          break;
        }
        next = (Message) current.getField(fd);
      } else if (pendingRepeated != null && segment instanceof Integer i && !pendingRepeated.isMapField()) {
        if (i >= current.getRepeatedFieldCount(pendingRepeated)) {
          break;
        }
        next = (Message) current.getRepeatedField(pendingRepeated, i);
      } else if (pendingRepeated != null && pendingRepeated.isMapField()) {
        FieldDescriptor key = pendingRepeated.getMessageType().findFieldByName("key");
        FieldDescriptor value = pendingRepeated.getMessageType().findFieldByName("value");
        for (int i = 0; i < current.getRepeatedFieldCount(pendingRepeated); i++) {
          Message entry = (Message) current.getRepeatedField(pendingRepeated, i);
          if (String.valueOf(entry.getField(key)).equals(String.valueOf(segment))
              && value.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            next = (Message) entry.getField(value);
          }
        }
      }
      pendingRepeated = null;
      if (next == null || next instanceof Any || next.getDescriptorForType() == Any.getDescriptor()) {
        break;
      }
      current = next;
      List<ResourceKey> here = of(current);
      if (!here.isEmpty()) {
        best = here;
      }
    }
    return best;
  }

  /** The source resources in a message's {@code metadata}, if it has any. */
  static List<ResourceKey> of(Message m) {
    FieldDescriptor fd = m.getDescriptorForType().findFieldByName("metadata");
    if (fd == null || fd.isRepeated() || fd.getJavaType() != FieldDescriptor.JavaType.MESSAGE || !m.hasField(fd)
        || !(m.getField(fd) instanceof Metadata metadata)) {
      return List.of();
    }
    Struct source = metadata.getFilterMetadataMap().get(SourceMetadata.FILTER_KEY);
    if (source == null) {
      return List.of();
    }
    List<ResourceKey> keys = new ArrayList<>();
    Value resources = source.getFieldsMap().get("resources");
    if (resources != null && resources.hasListValue()) {
      for (Value v : resources.getListValue().getValuesList()) {
        if (v.hasStructValue()) {
          addKey(v.getStructValue(), keys);
        }
      }
    } else {
      addKey(source, keys);
    }
    return keys;
  }

  private static void addKey(Struct s, List<ResourceKey> keys) {
    Value kind = s.getFieldsMap().get("kind");
    Value name = s.getFieldsMap().get("name");
    Value namespace = s.getFieldsMap().get("namespace");
    if (kind != null && name != null) {
      keys.add(new ResourceKey(kind.getStringValue(), namespace == null ? null : namespace.getStringValue(),
          name.getStringValue()));
    }
  }

  /** Splits {@code a.b[3].c["k.x"]} into "a", "b", 3, "c", "k.x" (field names as String, keys as KeySegment). */
  static List<Object> segments(String path) {
    List<Object> out = new ArrayList<>();
    int i = 0;
    while (i < path.length()) {
      char c = path.charAt(i);
      if (c == '.') {
        i++;
      } else if (c == '[') {
        if (i + 1 < path.length() && path.charAt(i + 1) == '"') {
          StringBuilder key = new StringBuilder();
          int j = i + 2;
          while (j < path.length() && path.charAt(j) != '"') {
            if (path.charAt(j) == '\\' && j + 1 < path.length()) {
              j++;
            }
            key.append(path.charAt(j++));
          }
          out.add(new KeySegment(key.toString()));
          i = path.indexOf(']', j) + 1;
          if (i == 0) {
            break;
          }
        } else {
          int end = path.indexOf(']', i);
          if (end < 0) {
            break;
          }
          String inner = path.substring(i + 1, end);
          try {
            out.add(Integer.parseInt(inner));
          } catch (NumberFormatException e) {
            out.add(new KeySegment(inner));
          }
          i = end + 1;
        }
      } else {
        int j = i;
        while (j < path.length() && path.charAt(j) != '.' && path.charAt(j) != '[') {
          j++;
        }
        out.add(path.substring(i, j));
        i = j;
      }
    }
    return out;
  }

  record KeySegment(String key) {
    @Override
    public String toString() {
      return key;
    }
  }
}
