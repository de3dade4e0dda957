#!/usr/bin/env bash
# Builds the GPU check folder: everything benchmarks/gpu-check.sh needs on a machine with an NVIDIA
# GPU and driver but no Java and no Maven. Run here (JDK 17 with jmods, Maven, network for one jar):
#   benchmarks/gpu/prepare.sh [OUT]        (default OUT: target/gpu-check)
# then carry OUT over (tar czf gpu-check.tgz -C target gpu-check) and run OUT/gpu-check.sh there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mkdir -p "${1:-$root/target/gpu-check}" && cd "${1:-$root/target/gpu-check}" && pwd)"
junit_platform=1.14.1   # the junit-jupiter 5.14.1 of the pom runs on platform 1.14.1
data="$root/../shared/data/mnist"
jdk_home="${JDK_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
cd "$root"

echo "prepare: building myelin.jar and the test classes"
mvn -q -B -DskipTests package
mvn -q -B test-compile

rm -rf "$out"
mkdir -p "$out/lib" "$out/data/mnist" "$out/bench"

# A trimmed JDK 17: what myelin.jar and the JUnit launcher need (jdeps also names java.sql and
# java.compiler, for gson's optional java.sql types and picocli's annotation processor: unused here).
echo "prepare: jlink JDK from $jdk_home"
"$jdk_home/bin/jlink" --module-path "$jdk_home/jmods" \
    --add-modules java.base,java.logging,java.management,jdk.incubator.vector,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --strip-native-debug-symbols=exclude-debuginfo-files --output "$out/jdk"

cp target/myelin.jar "$out/"
cp -r target/test-classes "$out/test-classes"
# Test-only libraries: AssertJ (its byte-buddy is only for soft assertions and proxies, which the tests
# do not use); everything else is inside the shaded myelin.jar.
mvn -q -B dependency:copy-dependencies -DincludeScope=test -DincludeArtifactIds=assertj-core \
    -DoutputDirectory="$out/lib"
mvn -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
    -DoutputDirectory="$out/lib"

cp "$data"/*.gz "$data"/SHA256SUMS* "$out/data/mnist/" 2>/dev/null || cp "$data"/* "$out/data/mnist/"
"$jdk_home/bin/javac" --release 17 -cp target/myelin.jar -d "$out/bench" benchmarks/gpu/MlpStepRate.java
cp benchmarks/gpu/torch_mlp.py "$out/bench/"
cp benchmarks/gpu-check.sh "$out/gpu-check.sh"
chmod +x "$out/gpu-check.sh"
echo "prepare: $out holds $(du -sh "$out" | cut -f1) (jdk $(du -sh "$out/jdk" | cut -f1)); carry it with:"
echo "  tar czf gpu-check.tgz -C \"$(dirname "$out")\" \"$(basename "$out")\""
