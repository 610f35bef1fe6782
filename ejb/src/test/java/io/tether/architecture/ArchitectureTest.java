package io.tether.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import org.junit.jupiter.api.Test;

/**
 * The direction of the core's packages (docs/architecture.md): the protocol, the configuration, the
 * work queues and the PTY at the bottom, each on its own; the session core on them; its adapters on
 * the core; the node's session handling on the adapters; connection handling on top (the web
 * module, a separate artifact, sits above all of them). A cycle or an import the wrong way fails
 * the build.
 */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.tether");

  private static final String[] FOUNDATION = {
    "io.tether.protocol..", "io.tether.config..", "io.tether.pty..", "io.tether.work.."
  };

  @Test
  void noPackageCycles() {
    ArchRule rule = slices().matching("io.tether.(*)..").should().beFreeOfCycles();
    rule.check(CORE);
  }

  @Test
  void layersDependDownwardOnly() {
    ArchRule rule =
        layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Foundation")
            .definedBy(FOUNDATION)
            .layer("Session")
            .definedBy("io.tether.session..")
            .layer("Adapters")
            .definedBy(
                "io.tether.isolation..",
                "io.tether.registry..",
                "io.tether.ticket..",
                "io.tether.events..",
                "io.tether.sweep..",
                "io.tether.cluster..",
                "io.tether.relay..")
            .layer("Node")
            .definedBy("io.tether.node..")
            .layer("Connection")
            .definedBy("io.tether.connection..")
            .whereLayer("Connection")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("Node")
            .mayOnlyBeAccessedByLayers("Connection")
            .whereLayer("Adapters")
            .mayOnlyBeAccessedByLayers("Node", "Connection")
            .whereLayer("Session")
            .mayOnlyBeAccessedByLayers("Adapters", "Node", "Connection");
    rule.check(CORE);
  }

  @Test
  void foundationPackagesStandAlone() {
    for (String foundation : FOUNDATION) {
      ArchRule rule =
          ArchRuleDefinition.noClasses()
              .that()
              .resideInAPackage(foundation)
              .should()
              .dependOnClassesThat(
                  resideInAPackage("io.tether..").and(not(resideInAPackage(foundation))))
              .because("protocol, config, pty and work import no other Tether package");
      rule.check(CORE);
    }
  }

  @Test
  void onlyTheClusterPackageKnowsHazelcast() {
    ArchRule rule =
        ArchRuleDefinition.noClasses()
            .that()
            .resideOutsideOfPackage("io.tether.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("com.hazelcast..")
            .because("ClusterStores builds every Hazelcast adapter, in one place");
    rule.check(CORE);
  }
}
