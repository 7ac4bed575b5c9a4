package io.gloo.core.console;

/** Short names of xDS type URLs, as operators say them. */
final class XdsTypes {

  private XdsTypes() {}

  static String shortName(String typeUrl) {
    String type = typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
    return switch (type) {
      case "Cluster" -> "CDS";
      case "ClusterLoadAssignment" -> "EDS";
      case "Listener" -> "LDS";
      case "RouteConfiguration" -> "RDS";
      case "Secret" -> "SDS";
      default -> type;
    };
  }
}
