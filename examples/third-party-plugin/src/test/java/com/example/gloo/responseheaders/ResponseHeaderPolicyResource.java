package com.example.gloo.responseheaders;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The kind as a Kubernetes resource, for fabric8's CRD generator only (the pom's crd-generator-maven-plugin writes
 * {@code target/crds/responseheaderpolicies.policies.example.com-v1.yml} from it and the spec class). A test class on
 * purpose: the plugin's own code never depends on fabric8; the test kit brings it.
 */
@Group("policies.example.com")
@Version("v1alpha1")
@Kind("ResponseHeaderPolicy")
public class ResponseHeaderPolicyResource extends CustomResource<ResponseHeaderPolicySpec, Void>
    implements Namespaced {}
