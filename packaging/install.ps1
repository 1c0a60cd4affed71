# halo-connect installer for Windows (Windows PowerShell 5.1 and PowerShell 7):
#
#   powershell -ExecutionPolicy Bypass -c "irm https://github.com/@REPO@/releases/latest/download/halo-connect-installer.ps1 | iex"
#
# Downloads the release archive for this machine (x64 or ARM64) over https only, checks it, puts
# halo-connect.exe in %LOCALAPPDATA%\Programs\halo-connect and adds that folder to your user PATH.
# No administrator rights are needed or used.
#
# How the archive is checked: against the SHA-256 this script carries for its own release (the
# release job writes them in), so a swapped archive on the download server or a mirror is refused;
# for another version, against the release's .sha256 file, which proves only a whole download. When
# the GitHub CLI (gh) is installed and logged in, the archive's build-provenance attestation is
# verified as well (gh attestation verify); without gh that check is skipped, and the installer
# says so.
#
# Environment (all optional):
#   HALO_CONNECT_VERSION       a version such as 1.2.0 (default: the release this script came from)
#   HALO_CONNECT_INSTALL_DIR   where halo-connect.exe goes
#   HALO_CONNECT_REPO          owner/name on GitHub (default: @REPO@)
#   HALO_CONNECT_DOWNLOAD_URL  a mirror holding the release files, https:// only (default: the GitHub release)
#   HALO_CONNECT_REQUIRE_ATTESTATION=1  refuse to install when the attestation cannot be verified
#   HALO_CONNECT_NO_MODIFY_PATH=1  leave the user PATH alone

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue' # Invoke-WebRequest is many times slower with the bar

# throw, not exit: under `irm ... | iex` an exit would close the user's own PowerShell window.
function Fail([string]$Message) {
    throw "halo-connect installer: $Message"
}

$Repo = if ($env:HALO_CONNECT_REPO) { $env:HALO_CONNECT_REPO } else { '@REPO@' }
$ReleaseVersion = '@VERSION@'
$Version = if ($env:HALO_CONNECT_VERSION) { $env:HALO_CONNECT_VERSION } else { $ReleaseVersion }
if ($Repo.Contains('@')) { Fail 'this copy of the installer names no repository; set HALO_CONNECT_REPO=owner/name' }
if ($Version.Contains('@')) { Fail 'this copy of the installer names no version; set HALO_CONNECT_VERSION (e.g. 1.2.0)' }
$Version = $Version.TrimStart('v')
if ($Version -notmatch '^[0-9A-Za-z+-][0-9A-Za-z.+-]*$' -or $Version.Contains('..')) { Fail "HALO_CONNECT_VERSION=$Version is not a version such as 1.2.0" }

# The SHA-256 of each archive of release @VERSION@, written in by the release job.
$ReleaseSums = @{
    'x86_64-pc-windows-msvc'  = '@SHA256_x86_64-pc-windows-msvc@'
    'aarch64-pc-windows-msvc' = '@SHA256_aarch64-pc-windows-msvc@'
}

# A 32-bit or emulated PowerShell reports its own architecture in PROCESSOR_ARCHITECTURE; the
# machine's is in PROCESSOR_ARCHITEW6432 then.
$MachineArch = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
switch ($MachineArch) {
    'AMD64' { $Target = 'x86_64-pc-windows-msvc' }
    'ARM64' { $Target = 'aarch64-pc-windows-msvc' }
    default { Fail "no release build for the processor $MachineArch; build from source with: cargo install halo-connect" }
}

$InstallDir = if ($env:HALO_CONNECT_INSTALL_DIR) { $env:HALO_CONNECT_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'Programs\halo-connect' }
$Base = if ($env:HALO_CONNECT_DOWNLOAD_URL) { $env:HALO_CONNECT_DOWNLOAD_URL.TrimEnd('/') } else { "https://github.com/$Repo/releases/download/v$Version" }
$Archive = "halo-connect-$Target.zip"
# HTTPS only: over plain http anyone on the network could swap the archive and its checksum.
if (-not $Base.StartsWith('https://', [StringComparison]::OrdinalIgnoreCase)) {
    Fail "HALO_CONNECT_DOWNLOAD_URL=$Base is not an https:// address; name the mirror's https:// address"
}
$Pinned = ''
if ($Version -eq $ReleaseVersion) {
    $Pinned = "$($ReleaseSums[$Target])".ToLowerInvariant()
    if ($Pinned.Contains('@') -or $Pinned -eq 'missing') { $Pinned = '' }
}

# Windows PowerShell 5.1 may still default to TLS 1.0; GitHub needs 1.2.
if ($PSVersionTable.PSVersion.Major -lt 6) {
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
}

$Tmp = Join-Path ([IO.Path]::GetTempPath()) ("halo-connect-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $Tmp | Out-Null
try {
    Write-Host "halo-connect installer: downloading halo-connect $Version for $Target"
    $ZipPath = Join-Path $Tmp $Archive
    $SumPath = "$ZipPath.sha256"
    try {
        Invoke-WebRequest -UseBasicParsing -Uri "$Base/$Archive" -OutFile $ZipPath
        if (-not $Pinned) {
            Invoke-WebRequest -UseBasicParsing -Uri "$Base/$Archive.sha256" -OutFile $SumPath
        }
    } catch {
        Fail "could not download $Base/$Archive ($($_.Exception.Message))"
    }
    $Got = (Get-FileHash -Algorithm SHA256 -Path $ZipPath).Hash.ToLowerInvariant()
    if ($Pinned) {
        if ($Pinned -ne $Got) {
            Fail "the SHA-256 of $Archive is $Got, but the release $Version this installer came with says $Pinned; nothing was installed"
        }
        Write-Host "halo-connect installer: the archive's SHA-256 matches the one this installer carries for $Version"
    } else {
        $Want = ((Get-Content -Raw $SumPath).Trim() -split '\s+')[0].ToLowerInvariant()
        if (-not $Want -or $Want -ne $Got) {
            Fail "the SHA-256 of $Archive is $Got, but the release says $Want; nothing was installed"
        }
        Write-Host "halo-connect installer: the archive's SHA-256 matches $Archive.sha256 from the same place, which proves a whole download, not who built it"
    }
    # The build-provenance attestation, through the GitHub CLI when it is there and logged in.
    $Gh = Get-Command gh -ErrorAction SilentlyContinue
    $GhReady = $false
    if ($Gh) {
        & $Gh.Source auth status *> $null
        $GhReady = ($LASTEXITCODE -eq 0)
    }
    if ($GhReady) {
        & $Gh.Source attestation verify $ZipPath --repo $Repo *> $null
        if ($LASTEXITCODE -ne 0) {
            Fail "the build-provenance attestation of $Archive does not verify for $Repo (gh attestation verify); nothing was installed"
        }
        Write-Host "halo-connect installer: the archive's build-provenance attestation verifies for $Repo"
    } elseif ($env:HALO_CONNECT_REQUIRE_ATTESTATION -eq '1') {
        Fail 'HALO_CONNECT_REQUIRE_ATTESTATION=1, but the GitHub CLI (gh) is not installed or not logged in, so the attestation cannot be verified; install gh and run gh auth login'
    } else {
        Write-Host 'halo-connect installer: the build-provenance attestation was not verified: the GitHub CLI (gh) is not installed or not logged in'
    }

    Expand-Archive -Path $ZipPath -DestinationPath $Tmp -Force
    $Src = Join-Path $Tmp "halo-connect-$Target"
    $Exe = Join-Path $Src 'halo-connect.exe'
    if (-not (Test-Path $Exe)) { Fail 'the archive holds no halo-connect.exe' }

    New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
    $Dest = Join-Path $InstallDir 'halo-connect.exe'
    # Never through a link or junction planted in the install folder.
    foreach ($P in @($Dest, "$Dest.old")) {
        if ((Test-Path -LiteralPath $P) -and ((Get-Item -LiteralPath $P -Force).Attributes -band [IO.FileAttributes]::ReparsePoint)) {
            Fail "$P is a link; halo-connect will not write through it: remove it, or choose another HALO_CONNECT_INSTALL_DIR"
        }
    }
    # A running halo-connect.exe cannot be overwritten, but it can be renamed out of the way.
    if (Test-Path $Dest) {
        $Old = "$Dest.old"
        Remove-Item -Force -ErrorAction SilentlyContinue $Old
        Move-Item -Force $Dest $Old
    }
    Copy-Item -Force $Exe $Dest
    Copy-Item -Force (Join-Path $Src 'completions\_halo-connect.ps1') (Join-Path $InstallDir 'halo-connect-completions.ps1')

    $Installed = & $Dest --version
    Write-Host "halo-connect installer: installed $Installed to $Dest"

    if ($env:HALO_CONNECT_NO_MODIFY_PATH -ne '1') {
        $UserPath = [Environment]::GetEnvironmentVariable('Path', 'User')
        $Parts = @($UserPath -split ';' | Where-Object { $_ })
        if ($Parts -notcontains $InstallDir) {
            [Environment]::SetEnvironmentVariable('Path', (($Parts + $InstallDir) -join ';'), 'User')
            Write-Host "halo-connect installer: added $InstallDir to your user PATH; open a new terminal to use it"
        }
    }
    Write-Host "halo-connect installer: for tab completion add this line to your `$PROFILE: . '$(Join-Path $InstallDir 'halo-connect-completions.ps1')'"
} finally {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Tmp
}
