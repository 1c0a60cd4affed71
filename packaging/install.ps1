# halo-connect installer for Windows (Windows PowerShell 5.1 and PowerShell 7):
#
#   powershell -ExecutionPolicy Bypass -c "irm https://github.com/@REPO@/releases/latest/download/halo-connect-installer.ps1 | iex"
#
# Downloads the release archive for this machine (x64 or ARM64), checks its SHA-256 against the
# release's checksum file, puts halo-connect.exe in %LOCALAPPDATA%\Programs\halo-connect and adds
# that folder to your user PATH. No administrator rights are needed or used.
#
# Environment (all optional):
#   HALO_CONNECT_VERSION       a version such as 1.2.0 (default: the release this script came from)
#   HALO_CONNECT_INSTALL_DIR   where halo-connect.exe goes
#   HALO_CONNECT_REPO          owner/name on GitHub (default: @REPO@)
#   HALO_CONNECT_DOWNLOAD_URL  a mirror holding the release files (default: the GitHub release)
#   HALO_CONNECT_NO_MODIFY_PATH=1  leave the user PATH alone

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue' # Invoke-WebRequest is many times slower with the bar

# throw, not exit: under `irm ... | iex` an exit would close the user's own PowerShell window.
function Fail([string]$Message) {
    throw "halo-connect installer: $Message"
}

$Repo = if ($env:HALO_CONNECT_REPO) { $env:HALO_CONNECT_REPO } else { '@REPO@' }
$Version = if ($env:HALO_CONNECT_VERSION) { $env:HALO_CONNECT_VERSION } else { '@VERSION@' }
if ($Repo.Contains('@')) { Fail 'this copy of the installer names no repository; set HALO_CONNECT_REPO=owner/name' }
if ($Version.Contains('@')) { Fail 'this copy of the installer names no version; set HALO_CONNECT_VERSION (e.g. 1.2.0)' }
$Version = $Version.TrimStart('v')

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
        Invoke-WebRequest -UseBasicParsing -Uri "$Base/$Archive.sha256" -OutFile $SumPath
    } catch {
        Fail "could not download $Base/$Archive ($($_.Exception.Message))"
    }
    $Want = ((Get-Content -Raw $SumPath).Trim() -split '\s+')[0].ToLowerInvariant()
    $Got = (Get-FileHash -Algorithm SHA256 -Path $ZipPath).Hash.ToLowerInvariant()
    if (-not $Want -or $Want -ne $Got) {
        Fail "the SHA-256 of $Archive is $Got, but the release says $Want; nothing was installed"
    }

    Expand-Archive -Path $ZipPath -DestinationPath $Tmp -Force
    $Src = Join-Path $Tmp "halo-connect-$Target"
    $Exe = Join-Path $Src 'halo-connect.exe'
    if (-not (Test-Path $Exe)) { Fail 'the archive holds no halo-connect.exe' }

    New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
    $Dest = Join-Path $InstallDir 'halo-connect.exe'
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
