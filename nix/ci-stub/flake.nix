# A stand-in for nixpkgs, for evaluating our flake where nixpkgs cannot be
# fetched:
#
#   nix flake check --no-build --no-write-lock-file \
#     --override-input nixpkgs path:./nix/ci-stub
#
# It provides only the attributes ../../flake.nix and ../*.nix use, with the
# same names and argument shapes as nixpkgs, and returns plain
# `builtins.derivation`s that cannot be built (but see the prebuilt mode
# below, which lets `nix run` start binaries cargo built). Where it can, it
# checks its arguments the way the real function would fail (missing callPackage
# arguments, a Cargo.lock that is absent or not TOML, a `--package` that is
# not in the workspace, a fileset path that does not exist, an image without
# an entrypoint), so the check catches mistakes rather than only syntax.
#
# Keep it in step with the real flake: when the flake starts using another
# nixpkgs attribute, add it here.
{
  description = "Evaluation-only stand-in for the parts of nixpkgs our flake uses";

  outputs =
    { self }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];

      lib = rec {
        genAttrs =
          names: f:
          builtins.listToAttrs (
            map (name: {
              inherit name;
              value = f name;
            }) names
          );
        concatMap = f: list: builtins.concatLists (map f list);
        optionalString = cond: s: if cond then s else "";
        hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
        getExe =
          drv:
          if drv ? meta.mainProgram then
            "${drv}/bin/${drv.meta.mainProgram}"
          else
            throw "getExe: ${drv.name} has no meta.mainProgram";
        licenses.asl20 = {
          spdxId = "Apache-2.0";
          fullName = "Apache License 2.0";
        };
        platforms.linux = systems;

        fileset = {
          # A fileset here is just the list of its paths; each must exist,
          # as in nixpkgs.
          unions =
            paths:
            map (
              p: if builtins.pathExists p then p else throw "lib.fileset.unions: ${toString p} does not exist"
            ) paths;
          # Keeps the listed paths, what lies below them, and the
          # directories leading to them.
          toSource =
            { root, fileset }:
            builtins.path {
              name = "source";
              path = root;
              filter =
                path: _type:
                builtins.any (
                  p:
                  let
                    keep = toString p;
                  in
                  path == keep || hasPrefix (keep + "/") path || hasPrefix (path + "/") keep
                ) fileset;
            };
        };
      };

      pkgsFor =
        {
          system,
          isStatic ? false,
        }:
        let
          # A derivation that records its arguments and refuses to build,
          # except in the prebuilt mode below, where it builds empty.
          stub =
            name: env:
            builtins.derivation (
              {
                inherit name system;
                builder = "/bin/sh";
                args = [
                  "-c"
                  (
                    if prebuilt != "" then
                      "/bin/mkdir -p $out"
                    else
                      "echo '${name}: built from the evaluation-only nixpkgs stub; use the real nixpkgs to build' >&2; exit 1"
                  )
                ];
              }
              // env
            );

          # Prebuilt mode (needs --impure and a build without sandbox): with
          # CODEX_NIX_STUB_PREBUILT naming a cargo output directory such as
          # target/debug, a Rust package is a copy of the binaries found
          # there, so `nix run .#codex-exec` runs what cargo built. The
          # binaries are the top-level files without a dot in their name.
          prebuilt = builtins.getEnv "CODEX_NIX_STUB_PREBUILT";
          prebuiltBinaries = builtins.path {
            name = "prebuilt-binaries";
            path = /. + prebuilt;
            filter =
              path: type:
              type == "regular"
              && builtins.dirOf path == toString (/. + prebuilt)
              && builtins.match ".*[.].*" (baseNameOf path) == null;
          };

          # Plain tools (cargo, zsh, ...): a name and a version.
          tool =
            pname:
            stub "${pname}-stub" { } // {
              inherit pname;
              version = "0";
              meta.mainProgram = pname;
            };

          callPackage =
            fn: args:
            let
              f = if builtins.isFunction fn then fn else import fn;
              wanted = builtins.functionArgs f;
              missing = builtins.filter (n: !wanted.${n} && !(pkgs ? ${n}) && !(args ? ${n})) (
                builtins.attrNames wanted
              );
            in
            if missing != [ ] then
              throw "callPackage: no value for argument(s) ${builtins.concatStringsSep ", " missing} (add them to the stub?)"
            else
              f (builtins.intersectAttrs wanted pkgs // args);

          buildRustPackage =
            args:
            let
              lock = args.cargoLock.lockFile;
              lockPackages =
                if builtins.pathExists lock then
                  map (p: p.name) (builtins.fromTOML (builtins.readFile lock)).package
                else
                  throw "buildRustPackage: cargoLock.lockFile ${toString lock} does not exist (is Cargo.lock committed?)";
              flags = (args.cargoBuildFlags or [ ]) ++ (args.cargoTestFlags or [ ]);
              # Every `--package X` must name a package of the lock file.
              packagesIn =
                list:
                if builtins.length list < 2 then
                  [ ]
                else if builtins.elem (builtins.head list) [ "--package" "-p" ] then
                  [ (builtins.elemAt list 1) ] ++ packagesIn (builtins.tail (builtins.tail list))
                else
                  packagesIn (builtins.tail list);
              packageNames = builtins.foldl' (seen: p: if builtins.elem p seen then seen else seen ++ [ p ]) [ ] (
                packagesIn flags
              );
              unknown = builtins.filter (p: !builtins.elem p lockPackages) packageNames;
              name = "${args.pname}-${args.version}";
              drv = stub name {
                inherit (args) pname version src;
                ${if prebuilt != "" then "args" else null} = [
                  "-c"
                  "/bin/mkdir -p $out/bin && /bin/cp ${prebuiltBinaries}/* $out/bin/"
                ];
                doCheck = args.doCheck or true;
                postInstall = args.postInstall or "";
                preCheck = args.preCheck or "";
                buildFlags = toString (args.cargoBuildFlags or [ ]);
                nativeBuildInputs = args.nativeBuildInputs or [ ];
                nativeCheckInputs = args.nativeCheckInputs or [ ];
                cargoLock = builtins.path {
                  path = lock;
                  name = "Cargo.lock";
                };
              };
            in
            assert builtins.isString args.pname && builtins.isString args.version;
            if unknown != [ ] then
              throw "buildRustPackage: ${builtins.concatStringsSep ", " unknown} is not a package of the workspace"
            else if lockPackages == [ ] then
              throw "buildRustPackage: ${toString lock} lists no packages"
            else
              drv
              // {
                inherit (args) pname version;
                meta = args.meta or { };
              };

          pkgs = {
            inherit lib callPackage;
            stdenv = rec {
              hostPlatform = {
                inherit system isStatic;
                isLinux = true;
              };
              buildPlatform = hostPlatform // {
                canExecute = platform: platform.system == system;
              };
            };

            rustPlatform = { inherit buildRustPackage; };

            mkShell =
              args:
              stub "nix-shell" {
                packages = args.packages or [ ];
                buildInputs = args.buildInputs or [ ];
                nativeBuildInputs = args.nativeBuildInputs or [ ];
              };

            runCommand =
              name: env: script:
              stub name (env // { buildCommand = script; });

            dockerTools.buildLayeredImage =
              args:
              let
                entrypoint = args.config.Entrypoint or (throw "buildLayeredImage: ${args.name} has no config.Entrypoint");
                tag = args.tag or "latest";
              in
              assert builtins.isList entrypoint && entrypoint != [ ];
              stub "${args.name}.tar.gz" {
                imageName = args.name;
                imageTag = tag;
                # Serialising keeps the store paths the config mentions as
                # dependencies, as the real image would.
                config = builtins.toJSON args.config;
                contents = args.contents or [ ];
              }
              // {
                imageName = args.name;
                imageTag = tag;
              };

            installShellFiles = tool "install-shell-files";
            bashInteractive = tool "bash";
            git = tool "git";
            zsh = tool "zsh";
            fish = tool "fish";
            cargo = tool "cargo";
            rustc = tool "rustc";
            clippy = tool "clippy";
            rustfmt = tool "rustfmt";
            pkg-config = tool "pkg-config";

            pkgsStatic =
              if isStatic then
                pkgs
              else
                pkgsFor {
                  inherit system;
                  isStatic = true;
                };
          };
        in
        pkgs;
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs systems (system: pkgsFor { inherit system; });
    };
}
