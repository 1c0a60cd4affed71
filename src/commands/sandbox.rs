//! `sandbox`: run the HaloPSA emulator in the foreground, print the five values to enter, and serve
//! until interrupted.

use std::time::Duration;

use crate::cli::SandboxArgs;
use crate::error::{AppError, Kind};
use crate::sandbox::{Sandbox, SandboxOptions, Scenario, TlsMode};
use crate::ui::json::{self, SandboxOutput};

use super::{parse_scenario, Ctx};

pub fn run(ctx: &Ctx, args: SandboxArgs) -> Result<i32, AppError> {
    if args.list_scenarios {
        let lines: Vec<String> = Scenario::ALL
            .iter()
            .map(|s| format!("{:<24} {}", s.as_str(), s.description()))
            .collect();
        ctx.term.out_raw(&lines.join("\n"));
        return Ok(0);
    }
    let scenario = parse_scenario(&args.scenario)?;
    let options = super::sandbox_options(ctx, scenario);
    let tls = match args.tls.as_deref() {
        None => TlsMode::Off,
        Some(t) => t
            .parse::<TlsMode>()
            .map_err(|_| AppError::usage(format!("unknown --tls mode {t:?}")))?,
    };
    let secret_given = options.client_secret.is_some();
    let sb = Sandbox::start(SandboxOptions {
        tls,
        port: args.port,
        latency: Duration::from_millis(args.latency_ms),
        ..options
    })
    .map_err(|e| {
        AppError::new(
            Kind::Connection,
            format!("cannot start the sandbox on 127.0.0.1:{}: {e}", args.port),
        )
    })?;
    let secret_line = if secret_given {
        format!(
            "(the value of {})",
            crate::domain::field::env::SANDBOX_SECRET
        )
    } else {
        // The demo secret is public by design: it opens only this emulator.
        sb.client_secret().expose().to_string()
    };
    let ca_path = match sb.ca_pem() {
        Some(pem) => {
            // A fresh, unpredictable file: a fixed name in /tmp could be a planted symlink.
            let mut file = tempfile::Builder::new()
                .prefix("halo-connect-sandbox-ca-")
                .suffix(".pem")
                .tempfile()
                .map_err(|e| {
                    AppError::config(format!("cannot create a file for the sandbox's CA: {e}"))
                })?;
            std::io::Write::write_all(&mut file, pem.as_bytes())
                .map_err(|e| AppError::config(format!("cannot write the sandbox's CA: {e}")))?;
            let (_, path) = file
                .keep()
                .map_err(|e| AppError::config(format!("cannot keep the sandbox's CA file: {e}")))?;
            Some(path)
        }
        None => None,
    };
    // Ctrl-C ends the emulator; its CA file goes with it.
    let ca_file = ca_path.clone();
    let _ = ctrlc::set_handler(move || {
        if let Some(p) = &ca_file {
            let _ = std::fs::remove_file(p);
        }
        std::process::exit(130);
    });
    if ctx.global.json {
        ctx.term.out_raw(&json::to_line(&SandboxOutput {
            auth_server: sb.auth_server(),
            ca_cert: ca_path.as_ref().map(|p| p.display().to_string()),
            client_id: sb.client_id(),
            // The demo secret opens only this emulator; a secret given by env is not echoed.
            client_secret: (!secret_given).then(|| sb.client_secret().expose()),
            resource_server: sb.resource_server(),
            scenario: scenario.as_str(),
            tenant: sb.tenant(),
            tls: tls.as_str(),
        }));
    } else {
        let mut lines = vec![
            format!(
                "HaloPSA sandbox ({}: {}) listening on {}",
                scenario.as_str(),
                scenario.description(),
                sb.base_url()
            ),
            String::new(),
            format!("  Resource Server       {}", sb.resource_server()),
            format!("  Authorization Server  {}", sb.auth_server()),
            format!("  Tenant                {}", sb.tenant()),
            format!("  Client ID             {}", sb.client_id()),
            format!("  Client Secret         {secret_line}"),
        ];
        if let Some(p) = &ca_path {
            lines.push(format!(
                "  CA certificate        {} (pass with --ca-cert)",
                p.display()
            ));
        }
        lines.push(String::new());
        let ca_flag = ca_path
            .as_ref()
            .map(|p| format!(" --ca-cert {}", p.display()))
            .unwrap_or_default();
        lines.push(format!(
            "Try (the secret is read hidden, so it stays out of your shell history):\n  read -rs {var} && export {var}\n  halo-connect init --non-interactive --url {} --client-id {} --secret-store none{ca_flag}",
            sb.base_url(),
            sb.client_id(),
            var = crate::domain::field::env::CLIENT_SECRET,
        ));
        lines.push(format!(
            "Switch scenarios while it runs: curl -X POST '{}/_sandbox/scenario?name=NAME&key={}'",
            sb.base_url(),
            sb.control_token()
        ));
        lines.push("Press Ctrl-C to stop.".into());
        ctx.term.out_raw(&lines.join("\n"));
    }
    // Serve until the process is interrupted; the emulator runs on its own thread.
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
