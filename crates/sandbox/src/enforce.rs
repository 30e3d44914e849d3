//! Applying a policy to the calling process, and exec'ing the command under it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use codex_protocol::SandboxPolicy;

use crate::command::NETWORK_DISABLED_ENV_VAR;
use crate::error::SandboxError;
#[cfg(target_os = "linux")]
use crate::namespaces::Owner;
use crate::shortfall::{KernelLandlock, Shortfall};

/// Everything that decides the rules for one command.
#[derive(Debug, Clone, Copy)]
pub struct SandboxRequest<'a> {
    /// What the command may do.
    pub policy: &'a SandboxPolicy,
    /// The directory relative writable roots resolve against, and the cwd root.
    pub policy_cwd: &'a Path,
    /// Paths whose files the command may not read (missing ones are ignored).
    pub deny_read: &'a [PathBuf],
    /// Run even if the kernel cannot enforce everything (the [`Enforcement`] says what not).
    pub allow_partial: bool,
    /// Keep existing read-only subpaths read-only with bind mounts, so each writable root is
    /// fully writable otherwise. `false` keeps them read-only with the stricter Landlock
    /// rules that are otherwise only used when no namespace can be made (which also keep
    /// missing read-only subpaths from being created); it exists so tests can exercise that
    /// fallback. Everything else about the sandbox is the same either way.
    pub mount_namespace: bool,
}

/// What was actually enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    /// The kernel's Landlock answer.
    pub landlock: KernelLandlock,
    /// What is missing; empty when the policy is fully enforced (or is full access).
    pub shortfalls: Vec<Shortfall>,
    /// How `.git` and `.codex` inside the writable roots are kept read-only.
    pub read_only_guard: ReadOnlyGuard,
    /// Whether this process is the init of the sandbox's PID namespace, so that
    /// [`exec_command`] starts the command and outlives it instead of exec'ing in place.
    pub supervised: bool,
    /// Limits that could not be applied (for a note; not refused).
    pub notes: Vec<String>,
}

/// How the read-only subpaths of the writable roots (`.git`, `.codex`) are kept read-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOnlyGuard {
    /// Nothing to guard: no writable root has an existing read-only subpath, or there is no
    /// Landlock to confine writes at all, or the policy restricts nothing.
    Unneeded,
    /// Read-only bind mounts in a private mount namespace; each root is one Landlock rule.
    BindMounts,
    /// Landlock rules on each root's children instead of the root, because the namespace
    /// could not be made (`reason`, for the user). Stricter: entries directly in such a root
    /// can be written but not created, removed or renamed.
    ChildRules {
        /// Why no mount namespace was used.
        reason: String,
    },
}

/// Restricts the calling process (and everything it will exec) to `request`. The process must
/// be single-threaded.
///
/// `danger-full-access` restricts nothing. Otherwise, in this order (see the crate docs):
/// descriptors above 2 closed; new mount, PID and IPC namespaces (and a user namespace when
/// not root), after which **this function returns in a forked child**, the PID namespace's
/// init, while the original process waits for it and exits with its status; the read-only
/// view of the host with the writable roots, `.git`/`.codex` read-only, private `/dev/shm`
/// and `/proc`; the process limit; Landlock (reads everywhere but `deny_read`, writes in the
/// roots and `/dev/null`, signal and abstract-socket scopes); every capability dropped;
/// `no_new_privs`; the seccomp filter. A piece the kernel lacks is an error naming it, unless
/// `allow_partial`, which records it in [`Enforcement::shortfalls`] and goes on without it.
#[cfg(target_os = "linux")]
pub fn apply_to_current_process(request: &SandboxRequest<'_>) -> Result<Enforcement, SandboxError> {
    let landlock = KernelLandlock::query();
    let mut enforcement = Enforcement {
        landlock,
        shortfalls: Vec::new(),
        read_only_guard: ReadOnlyGuard::Unneeded,
        supervised: false,
        notes: Vec::new(),
    };
    if request.policy.has_full_disk_write_access() {
        return Ok(enforcement);
    }
    if let Some(shortfall) = landlock.shortfall() {
        partial(request, &mut enforcement, shortfall)?;
    }
    crate::limits::close_inherited_fds();
    let network = request.policy.has_full_network_access();
    // Everything that can fail for a reason other than the kernel is prepared before the
    // first restriction, so errors are reported by an unrestricted process.
    let seccomp = crate::seccomp::filter(network)?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let roots = crate::roots::writable_roots(request.policy, request.policy_cwd);
    let redirected = crate::roots::redirected_roots(request.policy, request.policy_cwd);
    // Those still inside a root are writable through it (and guarded as roots).
    for redirected in redirected
        .iter()
        .filter(|r| !roots.iter().any(|root| root.root == r.resolved))
    {
        enforcement.notes.push(format!(
            "{} is not writable: the way to it passes through the symlink {}, inside a \
             writable root, where a command could have put it",
            redirected.named.display(),
            redirected.link.display()
        ));
    }
    let deny_read: Vec<PathBuf> = request
        .deny_read
        .iter()
        .map(|p| crate::paths::resolve(&cwd, p))
        .filter(|p| p.exists())
        .collect();

    // Read before the namespaces change the mount table.
    let deny_plan = crate::deny_read::plan(&deny_read);
    for (path, links) in &deny_plan.linked {
        enforcement.notes.push(format!(
            "deny_read: {} has {links} hard links; the other links stay readable",
            path.display()
        ));
    }
    // Made on the host, before the namespaces: a missing `.git` or `.codex` needs a
    // mount point to be kept read-only (see `placeholder`).
    let placeholders = crate::placeholder::Placeholders::create(&roots);
    let owner = match crate::namespaces::enter()? {
        Ok(owner) => Some(owner),
        Err(unavailable) => {
            partial(
                request,
                &mut enforcement,
                Shortfall::Isolation {
                    what: "namespaces",
                    detail: unavailable.to_string(),
                },
            )?;
            None
        }
    };
    let mut layout = Layout::default();
    if let Some(owner) = owner {
        crate::supervise::fork_and_wait(true, move || placeholders.remove())
            .map_err(SandboxError::Fork)?;
        // From here on: the init of the new PID namespace.
        enforcement.supervised = true;
        layout = build_layout(request, &roots, &deny_plan.paths, &mut enforcement)?;
        // The working directory still refers to the mount it was opened on, beneath the new
        // ones; look it up again so it lies on the writable bind of its root.
        std::env::set_current_dir(&cwd)
            .map_err(|e| SandboxError::Layout(format!("cannot re-enter {}: {e}", cwd.display())))?;
        if let Some(note) = crate::limits::limit_processes(owner == Owner::Root) {
            enforcement.notes.push(note);
        }
    } else if roots.iter().any(|r| !r.read_only_subpaths.is_empty()) {
        enforcement.read_only_guard = ReadOnlyGuard::ChildRules {
            reason: "no mount namespace".to_owned(),
        };
    }
    if landlock.available() {
        // Denied paths covered by mounts need no carving out of the read rule.
        let carved: &[PathBuf] = if layout.deny_read_covered {
            &[]
        } else {
            &deny_read
        };
        let mut rules = crate::landlock_rules::plan(&roots, carved, layout.guards.as_deref());
        // Private to the sandbox, so writable: its own shared memory, and its own ptys.
        let private = [
            (layout.private_shm, "/dev/shm"),
            (layout.private_dev, "/dev/pts"),
        ];
        for (_, path) in private.iter().filter(|(made, _)| *made) {
            rules.push(crate::landlock_rules::Rule {
                path: PathBuf::from(path),
                is_dir: true,
                grant: crate::landlock_rules::Grant::Write,
            });
        }
        crate::landlock_rules::restrict_self(&rules, network)?;
    } else {
        set_no_new_privs()?;
    }
    crate::caps::drop_all().map_err(SandboxError::Capabilities)?;
    crate::seccomp::install(&seccomp)?;
    Ok(enforcement)
}

/// Records `shortfall` when partial enforcement is accepted; otherwise it is the error.
#[cfg(target_os = "linux")]
fn partial(
    request: &SandboxRequest<'_>,
    enforcement: &mut Enforcement,
    shortfall: Shortfall,
) -> Result<(), SandboxError> {
    if !request.allow_partial {
        return Err(SandboxError::Kernel(shortfall));
    }
    enforcement.shortfalls.push(shortfall);
    Ok(())
}

/// What the mount half achieved.
#[derive(Debug, Default)]
#[cfg(target_os = "linux")]
struct Layout {
    /// The read-only guard mounts made; `None` when `.git`/`.codex` are left to the fallback
    /// Landlock rules.
    guards: Option<Vec<PathBuf>>,
    /// `/dev/shm` is a private tmpfs, which Landlock then lets the command write.
    private_shm: bool,
    /// `/dev` is the private one (`layout::private_dev`), with a `devpts` of its own.
    private_dev: bool,
    /// Every `deny_read` path is covered by a mount (else Landlock carves them out).
    deny_read_covered: bool,
}

/// The mount half, in the namespace's init (see `layout`).
#[cfg(target_os = "linux")]
fn build_layout(
    request: &SandboxRequest<'_>,
    roots: &[crate::roots::WritableRoot],
    denied: &[PathBuf],
    enforcement: &mut Enforcement,
) -> Result<Layout, SandboxError> {
    use crate::layout;
    let isolation =
        |what: &'static str, unavailable: crate::namespaces::Unavailable| Shortfall::Isolation {
            what,
            detail: unavailable.to_string(),
        };
    if let Err(unavailable) = crate::namespaces::enter_mount() {
        partial(
            request,
            enforcement,
            isolation("a mount namespace", unavailable),
        )?;
        return Ok(Layout::default());
    }
    if let Err(unavailable) = layout::make_private() {
        partial(
            request,
            enforcement,
            isolation("a private mount namespace (make / private)", unavailable),
        )?;
        return Ok(Layout::default());
    }
    let private_dev = match layout::private_dev() {
        Ok(()) => true,
        Err(unavailable) => {
            partial(
                request,
                enforcement,
                isolation("a private /dev", unavailable),
            )?;
            false
        }
    };
    if let Err(unavailable) = layout::read_only_view(private_dev) {
        partial(
            request,
            enforcement,
            isolation(
                "a read-only view of the host (mount_setattr, Linux 5.12)",
                unavailable,
            ),
        )?;
        return Ok(Layout::default());
    }
    if let Err(unavailable) = layout::private_proc() {
        partial(
            request,
            enforcement,
            isolation("a private /proc", unavailable),
        )?;
    }
    let private_shm = match layout::private_dev_shm() {
        Ok(mounted) => mounted,
        Err(unavailable) => {
            partial(
                request,
                enforcement,
                isolation("a private /dev/shm", unavailable),
            )?;
            false
        }
    };
    let holders = crate::deny_read::holders(denied, roots);
    let order = layout::bind_order(roots.iter().map(|r| r.root.clone()).chain(holders));
    layout::writable_roots(&order).map_err(|u| SandboxError::Layout(u.to_string()))?;
    let targets = crate::mount_guard::targets(roots);
    let guarded = roots.iter().any(|r| !r.read_only_subpaths.is_empty());
    let guards = if guarded && !request.mount_namespace {
        enforcement.read_only_guard = ReadOnlyGuard::ChildRules {
            reason: "mount namespace disabled by the caller".to_owned(),
        };
        None
    } else if targets.is_empty() {
        Some(targets)
    } else {
        match crate::mount_guard::mount_read_only(&targets) {
            Ok(()) => {
                enforcement.read_only_guard = ReadOnlyGuard::BindMounts;
                Some(targets)
            }
            Err(unavailable) => {
                enforcement.read_only_guard = ReadOnlyGuard::ChildRules {
                    reason: unavailable.to_string(),
                };
                None
            }
        }
    };
    let deny_read_covered = match crate::deny_read::cover(denied) {
        Ok(()) => true,
        Err(unavailable) => {
            // Landlock still carves the paths out; only aliases go uncovered.
            enforcement.notes.push(format!(
                "deny_read falls back to path rules (other paths to the same files stay \
                 readable): {unavailable}"
            ));
            false
        }
    };
    Ok(Layout {
        guards,
        private_shm,
        private_dev,
        deny_read_covered,
    })
}

/// Off Linux there is nothing to apply with: always an error.
#[cfg(not(target_os = "linux"))]
pub fn apply_to_current_process(
    _request: &SandboxRequest<'_>,
) -> Result<Enforcement, SandboxError> {
    Err(SandboxError::UnsupportedOs)
}

#[cfg(target_os = "linux")]
fn set_no_new_privs() -> Result<(), SandboxError> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes plain integer arguments and touches no memory.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(SandboxError::NoNewPrivs(std::io::Error::last_os_error()))
    }
}

/// Runs `command` (searched on `PATH`), with `CODEX_SANDBOX_NETWORK_DISABLED=1` when
/// `network_disabled`: replaces the current process with it, or, when `supervised` (this
/// process is the sandbox's init, [`Enforcement::supervised`]), starts it, reaps every process
/// until it ends and exits with its status. Returns only on failure.
#[cfg(unix)]
pub fn exec_command(
    command: &[OsString],
    network_disabled: bool,
    supervised: bool,
) -> SandboxError {
    use std::os::unix::process::CommandExt;

    let Some((program, args)) = command.split_first() else {
        return SandboxError::NoCommand;
    };
    let mut process = std::process::Command::new(program);
    process.args(args);
    if network_disabled {
        process.env(NETWORK_DISABLED_ENV_VAR, "1");
    }
    #[cfg(target_os = "linux")]
    if supervised {
        // std spawns with posix_spawn (a vfork: the child borrows the init's memory until
        // it execs), so no copy of the init's address space is made and torn down again.
        return match process.spawn() {
            Ok(child) => crate::supervise::reap_until_exit(child.id()),
            Err(source) => SandboxError::Exec {
                program: program.to_string_lossy().into_owned(),
                source,
            },
        };
    }
    let source = process.exec();
    SandboxError::Exec {
        program: program.to_string_lossy().into_owned(),
        source,
    }
}

/// Off Unix there is no exec: always an error.
#[cfg(not(unix))]
pub fn exec_command(
    _command: &[OsString],
    _network_disabled: bool,
    _supervised: bool,
) -> SandboxError {
    SandboxError::UnsupportedOs
}
