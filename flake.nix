{
  description = "Codex-compatible coding-agent toolkit: small binaries over shared crates";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      # Every binary the workspace installs; each one is also a flake app.
      binaries = [
        "codex"
        "codex-tui"
        "codex-exec"
        "codex-login"
        "codex-apply"
        "codex-mcp"
        "codex-linux-sandbox"
        "codex-responses-api-proxy"
      ];

      toolkitFor = pkgs: args: pkgs.callPackage ./nix/package.nix args;

      # A statically linked proxy (musl): the only file of its OCI image.
      staticProxyFor =
        pkgs:
        toolkitFor pkgs.pkgsStatic {
          pname = "responses-api-proxy";
          cargoPackages = [ "responses-api-proxy" ];
          mainProgram = "codex-responses-api-proxy";
          withCompletions = false;
        };
    in
    {
      overlays.default = final: prev: {
        codex-toolkit = toolkitFor final { };
      };

      packages = forAllSystems (
        pkgs:
        let
          codex-toolkit = toolkitFor pkgs { };
          responses-api-proxy-static = staticProxyFor pkgs;
        in
        {
          inherit codex-toolkit responses-api-proxy-static;
          default = codex-toolkit;
          responses-api-proxy-image = pkgs.callPackage ./nix/proxy-image.nix {
            proxy = responses-api-proxy-static;
          };
        }
      );

      apps = forAllSystems (
        pkgs:
        let
          toolkit = self.packages.${pkgs.stdenv.hostPlatform.system}.codex-toolkit;
          appFor = bin: {
            type = "app";
            program = "${toolkit}/bin/${bin}";
          };
        in
        nixpkgs.lib.genAttrs binaries appFor // { default = appFor "codex"; }
      );

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = with pkgs; [
            cargo
            rustc
            clippy
            rustfmt
            pkg-config
          ];
        };
      });

      checks = forAllSystems (
        pkgs:
        let
          built = self.packages.${pkgs.stdenv.hostPlatform.system};
        in
        {
          # The whole workspace again, this time running its test suite.
          codex-toolkit-tests = toolkitFor pkgs {
            pname = "codex-toolkit-tests";
            doCheck = true;
          };
          completions = pkgs.callPackage ./nix/completions-check.nix {
            toolkit = built.codex-toolkit;
          };
          responses-api-proxy-image = built.responses-api-proxy-image;
        }
      );
    };
}
