# An OCI image of the responses-api-proxy sidecar, in the spirit of
# `FROM scratch`: the static binary and nothing else (no shell, no libc, no
# certificates on disk; the proxy carries its own roots). It runs as an
# unprivileged user and listens on all interfaces of the container, port 8080.
# The API key arrives on stdin, as with the bare binary:
#   printenv OPENAI_API_KEY | podman run -i -p 127.0.0.1:8080:8080 responses-api-proxy:TAG
{
  lib,
  dockerTools,
  proxy,
  port ? 8080,
  # Arguments that follow the binary; anything given to `podman run` after
  # the image name is appended to them.
  proxyArgs ? [
    "--listen"
    "0.0.0.0"
    "--port"
    (toString port)
  ],
}:

dockerTools.buildLayeredImage {
  name = "responses-api-proxy";
  tag = proxy.version;

  # The closure of the entrypoint is the whole content: one static binary.
  config = {
    Entrypoint = [ (lib.getExe proxy) ] ++ proxyArgs;
    User = "65534:65534";
    ExposedPorts = {
      "${toString port}/tcp" = { };
    };
    Labels = {
      "org.opencontainers.image.title" = "responses-api-proxy";
      "org.opencontainers.image.description" = "Holds an API key and forwards only POST /v1/responses";
      "org.opencontainers.image.version" = proxy.version;
      "org.opencontainers.image.licenses" = "Apache-2.0";
    };
  };
}
