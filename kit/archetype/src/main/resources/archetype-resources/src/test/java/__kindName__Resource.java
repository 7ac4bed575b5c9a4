package ${package};

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The kind as a Kubernetes resource, for fabric8's CRD generator only (the pom writes {@code target/crds/} from it
 * and the spec class). A test class on purpose: the plugin's code never depends on fabric8; the test kit brings it.
 */
@Group("${kindGroup}")
@Version("${kindVersion}")
@Kind("${kindName}")
public class ${kindName}Resource extends CustomResource<${kindName}Spec, Void> implements Namespaced {}
