#Requires -Version 5.1
<#
.SYNOPSIS
    Shared names and helpers of the connsec test-VM kit. Dot-sourced by the other scripts.

.DESCRIPTION
    Defines the names every script uses (service, driver file, INF, ETW provider, Parameters key,
    kit state folder) and helpers for: elevation checks, running native tools with exit-code
    checks, the connsec service, ETW captures (logman, tracelog, WPR) and their decoding
    (tracefmt, tracerpt), and reading/writing the security descriptor that guards WFP connection
    objects (FwpmConnectionGetSecurityInfo0 / FwpmConnectionSetSecurityInfo0 via P/Invoke), so the
    kit can snapshot the original descriptor before the driver changes it and check (or restore)
    it after uninstall without depending on connsecctl.

    Works on Windows PowerShell 5.1 and PowerShell 7 (no 7-only syntax, .NET Framework and .NET
    APIs only where both have them).

    The ETW provider GUID is the TraceLogging name hash of 'Connsec.Driver'
    (SHA-1 over the TraceLogging namespace and the upper-cased UTF-16BE name; see
    tests/tests/powershell.rs, which checks it against crates/events).

.NOTES
    Not run directly: other scripts do `. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')`.
#>
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:ConnsecServiceName = 'connsec'
$script:ConnsecDriverFile = 'connsec.sys'
$script:ConnsecInfName = 'connsec.inf'
$script:ConnsecTestCertFile = 'WDRLocalTestCert.cer'
$script:ConnsecTestCertSubject = 'CN=WDRLocalTestCert'
$script:ConnsecProviderName = 'Connsec.Driver'
$script:ConnsecProviderGuid = 'd0cc7703-58db-567c-a55d-17c9b47e8af7'
$script:ConnsecParametersKey = 'HKLM:\SYSTEM\CurrentControlSet\Services\connsec\Parameters'
# REG_BINARY under Parameters: the driver's durable copy of the original descriptor
# (connsec_policy::config::ORIGINAL_DACL; docs/original-descriptor.md).
$script:ConnsecOriginalDaclValue = 'OriginalDacl'
$script:ConnsecTraceSession = 'connsec'
$script:ConnsecStateDir = Join-Path $env:ProgramData 'connsec-kit'
$script:ConnsecOriginalSddlFile = Join-Path $script:ConnsecStateDir 'original-connection-sd.sddl'
$script:ConnsecTraceStateFile = Join-Path $script:ConnsecStateDir 'trace-session.json'
# MatchAnyKeyword enabling every keyword of connsec's events (crates/events: 0x1..0x10).
$script:ConnsecKeywordMask = '0x1F'
$script:ConnsecRepoRoot = Split-Path -Parent $PSScriptRoot

function Assert-ConnsecAdministrator {
    <# .SYNOPSIS Throws unless the session is elevated (member of BUILTIN\Administrators, enabled). #>
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw "This script must run elevated: start PowerShell with 'Run as administrator' (current user: $($identity.Name))."
    }
}

function Write-ConnsecStep {
    <# .SYNOPSIS Prints a visible step header. #>
    param([Parameter(Mandatory = $true)][string]$Message)
    Write-Host ''
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Invoke-ConnsecNative {
    <#
    .SYNOPSIS
        Runs a native program, returns its output lines, throws when the exit code is not allowed.
    .DESCRIPTION
        Standard error is merged into the output. $ErrorActionPreference is lowered to 'Continue'
        for the call because Windows PowerShell 5.1 otherwise turns the first stderr line of a
        native program into a terminating error.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [int[]]$AllowedExitCodes = @(0),
        [switch]$PassThruExitCode
    )
    $display = "$FilePath $($ArgumentList -join ' ')"
    Write-Verbose "running: $display"
    $saved = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $output = & $FilePath @ArgumentList 2>&1 | ForEach-Object { "$_" }
        $code = $LASTEXITCODE
    } catch {
        throw "Cannot run '$display': $($_.Exception.Message)"
    } finally {
        $ErrorActionPreference = $saved
    }
    if ($null -eq $output) { $output = @() }
    if ($AllowedExitCodes -notcontains $code) {
        $text = ($output | Select-Object -Last 20) -join [Environment]::NewLine
        throw "'$display' failed with exit code $code.$([Environment]::NewLine)$text"
    }
    if ($PassThruExitCode) {
        return [pscustomobject]@{ ExitCode = $code; Output = @($output) }
    }
    return @($output)
}

function Find-ConnsecTool {
    <#
    .SYNOPSIS
        Finds a tool on PATH or in the Windows Kits (WDK/SDK) folders; returns its path or $null.
    #>
    param([Parameter(Mandatory = $true)][string]$Name)
    $onPath = Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue |
        Select-Object -First 1
    if ($null -ne $onPath) { return $onPath.Source }
    $roots = @()
    foreach ($base in @(${env:ProgramFiles(x86)}, $env:ProgramFiles)) {
        if ([string]::IsNullOrEmpty($base)) { continue }
        $roots += Join-Path $base 'Windows Kits\10\bin'
        $roots += Join-Path $base 'Windows Kits\10\Tools'
        $roots += Join-Path $base 'Windows Kits\10\Debuggers\x64'
    }
    foreach ($root in $roots) {
        if (-not (Test-Path -LiteralPath $root)) { continue }
        # Newest SDK/WDK version folder first; x64 tools only (the VM is x64).
        $hit = Get-ChildItem -LiteralPath $root -Recurse -Filter $Name -File -ErrorAction SilentlyContinue |
            Where-Object { $_.DirectoryName -match '\\x64$' } |
            Sort-Object -Property FullName -Descending |
            Select-Object -First 1
        if ($null -ne $hit) { return $hit.FullName }
    }
    return $null
}

function Get-ConnsecDriverService {
    <# .SYNOPSIS The connsec kernel service (Win32_SystemDriver) or $null when it is not installed. #>
    return Get-CimInstance -ClassName Win32_SystemDriver -Filter "Name='$($script:ConnsecServiceName)'" -ErrorAction SilentlyContinue
}

function Wait-ConnsecDriverState {
    <# .SYNOPSIS Waits until the service reaches a state ('Running' or 'Stopped'); throws on timeout. #>
    param(
        [Parameter(Mandatory = $true)][ValidateSet('Running', 'Stopped')][string]$State,
        [int]$TimeoutSeconds = 30
    )
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ($true) {
        $svc = Get-ConnsecDriverService
        if ($null -eq $svc) { throw "The $($script:ConnsecServiceName) service does not exist." }
        if ($svc.State -eq $State) { return $svc }
        if ((Get-Date) -gt $deadline) {
            throw "The $($script:ConnsecServiceName) service is '$($svc.State)', not '$State', after $TimeoutSeconds s."
        }
        Start-Sleep -Milliseconds 500
    }
}

function Get-ConnsecStartFailureHint {
    <# .SYNOPSIS Explains the usual Win32 errors of `sc.exe start` for a test-signed kernel driver. #>
    param([int]$Code)
    switch ($Code) {
        2 { return 'ERROR_FILE_NOT_FOUND: the binary named by the service (Win32_SystemDriver PathName; the INF puts it in the driver store) is missing; reinstall the package.' }
        5 { return 'ERROR_ACCESS_DENIED: run elevated.' }
        577 { return 'ERROR_INVALID_IMAGE_HASH (STATUS_INVALID_IMAGE_HASH): the signature is not trusted. Run Initialize-TestVM.ps1 (test signing on, Secure Boot off, reboot) and make sure WDRLocalTestCert.cer is in LocalMachine Root and TrustedPublisher.' }
        1058 { return 'ERROR_SERVICE_DISABLED: the service start type is Disabled.' }
        1275 { return 'ERROR_DRIVER_BLOCKED: the driver was blocked from loading (HVCI/memory integrity or a block list).' }
        default { return "DriverEntry or the loader failed; read the ETW events above, the System event log (Get-WinEvent -LogName System -MaxEvents 20) and the kernel debugger output. Win32 error ${Code}: $((New-Object ComponentModel.Win32Exception($Code)).Message)" }
    }
}

function Start-ConnsecDriver {
    <# .SYNOPSIS Starts the service with sc.exe and waits until it runs; throws with a hint on failure. #>
    $result = Invoke-ConnsecNative -FilePath 'sc.exe' -ArgumentList @('start', $script:ConnsecServiceName) -AllowedExitCodes @(0, 1056) -PassThruExitCode
    if ($result.ExitCode -eq 1056) { Write-Host 'connsec was already running.' }
    [void](Wait-ConnsecDriverState -State Running)
}

function Stop-ConnsecDriver {
    <# .SYNOPSIS Stops the service (unload restores the original DACL when RestoreOnUnload = 1). #>
    $svc = Get-ConnsecDriverService
    if ($null -eq $svc) { Write-Host 'connsec is not installed.'; return }
    if ($svc.State -eq 'Stopped') { Write-Host 'connsec is already stopped.'; return }
    [void](Invoke-ConnsecNative -FilePath 'sc.exe' -ArgumentList @('stop', $script:ConnsecServiceName) -AllowedExitCodes @(0, 1062))
    [void](Wait-ConnsecDriverState -State Stopped)
}

function Get-ConnsecPackagePath {
    <#
    .SYNOPSIS
        Resolves the package folder: the given path, else the folder next to the scripts when it
        holds connsec.inf (copied kit), else driver\target\{release,debug}\connsec_package.
    #>
    param([string]$PackagePath)
    $candidates = @()
    if (-not [string]::IsNullOrEmpty($PackagePath)) {
        $candidates += $PackagePath
    } else {
        $candidates += Join-Path $PSScriptRoot 'connsec_package'
        $candidates += $PSScriptRoot
        $candidates += Join-Path $script:ConnsecRepoRoot 'driver\target\release\connsec_package'
        $candidates += Join-Path $script:ConnsecRepoRoot 'driver\target\debug\connsec_package'
        $candidates += Join-Path $script:ConnsecRepoRoot 'driver\target\x86_64-pc-windows-msvc\release\connsec_package'
        $candidates += Join-Path $script:ConnsecRepoRoot 'driver\target\x86_64-pc-windows-msvc\debug\connsec_package'
    }
    foreach ($dir in $candidates) {
        if (Test-Path -LiteralPath (Join-Path $dir $script:ConnsecInfName)) {
            return (Resolve-Path -LiteralPath $dir).ProviderPath
        }
    }
    throw "No package folder with $($script:ConnsecInfName) found (looked in: $($candidates -join '; ')). Pass -PackagePath <folder containing connsec.inf, connsec.sys, connsec.cat>."
}

function Find-ConnsecCtl {
    <# .SYNOPSIS Finds connsecctl.exe: the given path, next to the scripts, target\release, PATH. #>
    param([string]$Path)
    if (-not [string]::IsNullOrEmpty($Path)) {
        if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { throw "connsecctl not found at '$Path'." }
        return (Resolve-Path -LiteralPath $Path).ProviderPath
    }
    foreach ($candidate in @(
            (Join-Path $PSScriptRoot 'connsecctl.exe'),
            (Join-Path $script:ConnsecRepoRoot 'target\release\connsecctl.exe'),
            (Join-Path $script:ConnsecRepoRoot 'target\debug\connsecctl.exe'))) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return (Resolve-Path -LiteralPath $candidate).ProviderPath }
    }
    $cmd = Get-Command -Name 'connsecctl.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -ne $cmd) { return $cmd.Source }
    throw 'connsecctl.exe not found: build it on the host with `cargo build --release -p connsecctl`, copy target\release\connsecctl.exe next to these scripts, or pass -ConnsecCtl <path>.'
}

function Get-ConnsecStateDir {
    <# .SYNOPSIS Creates the kit's state folder under ProgramData when missing; returns its path. #>
    if (-not (Test-Path -LiteralPath $script:ConnsecStateDir)) {
        [void](New-Item -ItemType Directory -Path $script:ConnsecStateDir -Force -WhatIf:$false)
    }
    return $script:ConnsecStateDir
}

# --- WFP connection-object security descriptor (user-mode fwpuclnt.dll) -----------------------

$script:ConnsecWfpSource = @'
using System;
using System.Runtime.InteropServices;

namespace ConnsecKit
{
    /// User-mode access to the security descriptor of WFP connection objects (fwpuclnt.dll,
    /// Windows 8+). Signatures follow fwpmu.h: every function returns a Win32/FWP error code.
    public static class Wfp
    {
        const uint RPC_C_AUTHN_WINNT = 10;
        public const uint OWNER_SECURITY_INFORMATION = 0x1;
        public const uint GROUP_SECURITY_INFORMATION = 0x2;
        public const uint DACL_SECURITY_INFORMATION = 0x4;
        public const uint PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;
        public const uint UNPROTECTED_DACL_SECURITY_INFORMATION = 0x20000000;

        [DllImport("fwpuclnt.dll", CharSet = CharSet.Unicode)]
        static extern uint FwpmEngineOpen0(string serverName, uint authnService, IntPtr authIdentity,
            IntPtr session, out IntPtr engineHandle);

        [DllImport("fwpuclnt.dll")]
        static extern uint FwpmEngineClose0(IntPtr engineHandle);

        [DllImport("fwpuclnt.dll")]
        static extern uint FwpmConnectionGetSecurityInfo0(IntPtr engineHandle, uint securityInfo,
            out IntPtr sidOwner, out IntPtr sidGroup, out IntPtr dacl, out IntPtr sacl,
            out IntPtr securityDescriptor);

        [DllImport("fwpuclnt.dll")]
        static extern uint FwpmConnectionSetSecurityInfo0(IntPtr engineHandle, uint securityInfo,
            IntPtr sidOwner, IntPtr sidGroup, byte[] dacl, IntPtr sacl);

        [DllImport("fwpuclnt.dll")]
        static extern void FwpmFreeMemory0(ref IntPtr p);

        [DllImport("advapi32.dll")]
        static extern uint GetSecurityDescriptorLength(IntPtr securityDescriptor);

        static IntPtr Open()
        {
            IntPtr engine;
            uint rc = FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, IntPtr.Zero, IntPtr.Zero, out engine);
            if (rc != 0) throw new InvalidOperationException(String.Format("FwpmEngineOpen0 failed: 0x{0:X8}", rc));
            return engine;
        }

        /// Self-relative bytes of the connection objects' security descriptor (owner, group, DACL).
        public static byte[] GetConnectionSecurityDescriptor()
        {
            IntPtr engine = Open();
            try
            {
                IntPtr owner, group, dacl, sacl, sd;
                uint info = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
                uint rc = FwpmConnectionGetSecurityInfo0(engine, info, out owner, out group, out dacl, out sacl, out sd);
                if (rc != 0) throw new InvalidOperationException(String.Format("FwpmConnectionGetSecurityInfo0 failed: 0x{0:X8}", rc));
                try
                {
                    // Control word at offset 2; SE_SELF_RELATIVE = 0x8000. Refuse anything else
                    // rather than copying an absolute descriptor's pointers.
                    ushort control = (ushort)Marshal.ReadInt16(sd, 2);
                    if ((control & 0x8000) == 0) throw new InvalidOperationException("FwpmConnectionGetSecurityInfo0 returned an absolute security descriptor");
                    int len = checked((int)GetSecurityDescriptorLength(sd));
                    byte[] bytes = new byte[len];
                    Marshal.Copy(sd, bytes, 0, len);
                    return bytes;
                }
                finally { FwpmFreeMemory0(ref sd); }
            }
            finally { FwpmEngineClose0(engine); }
        }

        /// Applies a binary DACL; `securityInfo` is DACL_SECURITY_INFORMATION plus
        /// PROTECTED_ or UNPROTECTED_DACL_SECURITY_INFORMATION. Returns the FWP error code.
        public static uint SetConnectionDacl(byte[] dacl, uint securityInfo)
        {
            if (dacl == null) throw new ArgumentNullException("dacl", "a NULL DACL would grant everyone full access");
            IntPtr engine = Open();
            try { return FwpmConnectionSetSecurityInfo0(engine, securityInfo, IntPtr.Zero, IntPtr.Zero, dacl, IntPtr.Zero); }
            finally { FwpmEngineClose0(engine); }
        }
    }
}
'@

function Initialize-ConnsecWfpInterop {
    <# .SYNOPSIS Compiles the P/Invoke helper once per session. #>
    if (-not ('ConnsecKit.Wfp' -as [type])) {
        Add-Type -TypeDefinition $script:ConnsecWfpSource -Language CSharp
    }
}

function Get-ConnsecConnectionSddl {
    <# .SYNOPSIS The live SDDL (owner, group, DACL) guarding WFP connection objects. #>
    Initialize-ConnsecWfpInterop
    $bytes = [ConnsecKit.Wfp]::GetConnectionSecurityDescriptor()
    $raw = New-Object System.Security.AccessControl.RawSecurityDescriptor -ArgumentList @($bytes, 0)
    return $raw.GetSddlForm([System.Security.AccessControl.AccessControlSections]::All)
}

function Get-ConnsecConnectionSddlOrReason {
    <#
    .SYNOPSIS
        Like Get-ConnsecConnectionSddl, but returns "(cannot read: <reason>)" instead of throwing:
        a DACL that denies the administrator READ_CONTROL is itself a result worth printing.
    #>
    try {
        return Get-ConnsecConnectionSddl
    } catch {
        return "(cannot read: $($_.Exception.Message))"
    }
}

function Get-ConnsecDaclPart {
    <# .SYNOPSIS The `D:...` part of an SDDL string (what the driver changes), or '' when absent. #>
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Sddl)
    $m = [regex]::Match($Sddl, 'D:.*?(?=S:|$)')
    if ($m.Success) { return $m.Value }
    return ''
}

function Set-ConnsecConnectionDacl {
    <#
    .SYNOPSIS
        Writes the DACL of an SDDL string to the WFP connection objects' descriptor (user mode).
    .DESCRIPTION
        Protected DACLs ("D:P...") are written with PROTECTED_DACL_SECURITY_INFORMATION, others
        with UNPROTECTED_DACL_SECURITY_INFORMATION so inheritance from the engine resumes.
        [unverified] whether BFE honours the (UN)PROTECTED flags (docs/open-questions.md,
        question 3); the caller re-reads the descriptor to check.
    #>
    param([Parameter(Mandatory = $true)][string]$Sddl)
    Initialize-ConnsecWfpInterop
    $raw = New-Object System.Security.AccessControl.RawSecurityDescriptor -ArgumentList @($Sddl)
    if ($null -eq $raw.DiscretionaryAcl) { throw "Refusing to write a NULL DACL (it grants everyone full access): '$Sddl'." }
    $bytes = New-Object byte[] $raw.DiscretionaryAcl.BinaryLength
    $raw.DiscretionaryAcl.GetBinaryForm($bytes, 0)
    $info = [ConnsecKit.Wfp]::DACL_SECURITY_INFORMATION
    if (($raw.ControlFlags -band [System.Security.AccessControl.ControlFlags]::DiscretionaryAclProtected) -ne 0) {
        $info = $info -bor [ConnsecKit.Wfp]::PROTECTED_DACL_SECURITY_INFORMATION
    } else {
        $info = $info -bor [ConnsecKit.Wfp]::UNPROTECTED_DACL_SECURITY_INFORMATION
    }
    $rc = [ConnsecKit.Wfp]::SetConnectionDacl($bytes, [uint32]$info)
    if ($rc -ne 0) { throw ('FwpmConnectionSetSecurityInfo0 failed: 0x{0:X8}' -f $rc) }
}

# --- ETW capture ------------------------------------------------------------------------------

function Start-ConnsecTrace {
    <#
    .SYNOPSIS
        Starts an ETW file capture of the Connsec.Driver provider; remembers it in the state folder.
    .PARAMETER Tool
        logman (inbox), tracelog (WDK; -ToDebugger adds -rt -kd, experimental) or wpr
        (scripts\etw\connsec.wprp).
    #>
    param(
        [ValidateSet('logman', 'tracelog', 'wpr')][string]$Tool = 'logman',
        [string]$EtlPath,
        [switch]$ToDebugger
    )
    $dir = Get-ConnsecStateDir
    if ([string]::IsNullOrEmpty($EtlPath)) {
        $EtlPath = Join-Path $dir ('connsec-{0:yyyyMMdd-HHmmss}.etl' -f (Get-Date))
    }
    $EtlPath = [IO.Path]::GetFullPath($EtlPath)
    $guid = "{$($script:ConnsecProviderGuid)}"
    try {
        switch ($Tool) {
            'logman' {
                # Keywords: every connsec keyword; level 5 (verbose); -ets = start now, not a saved set.
                [void](Invoke-ConnsecNative -FilePath 'logman.exe' -ArgumentList @(
                        'start', $script:ConnsecTraceSession, '-p', $guid, $script:ConnsecKeywordMask, '0x5',
                        '-o', $EtlPath, '-ets'))
            }
            'tracelog' {
                $tracelog = Find-ConnsecTool -Name 'tracelog.exe'
                if ($null -eq $tracelog) { throw 'tracelog.exe not found: install the WDK, copy tracelog.exe from "Windows Kits\10\bin\<version>\x64" next to the scripts, or use -Tool logman.' }
                # Every connsec event has a non-zero keyword, and a TraceLogging provider writes a
                # keyworded event only when (keyword & MatchAnyKeyword) != 0 (tracelogging 1.2.4,
                # `enabled_keyword`); so enable all five (0x1 policy, 0x2 BFE, 0x4 callout,
                # 0x8 configuration, 0x10 driver; docs/events.md). tracelog's -flag is superseded
                # by -matchanykw.
                $tlArgs = @('-start', $script:ConnsecTraceSession, '-guid', "#$($script:ConnsecProviderGuid)", '-level', '5', '-matchanykw', $script:ConnsecKeywordMask, '-f', $EtlPath)
                # [unverified] experimental: -kd sends the buffers to an attached kernel debugger,
                # which decodes WPP through TMF files; TraceLogging decoding there is undocumented.
                if ($ToDebugger) { $tlArgs += @('-rt', '-kd') }
                [void](Invoke-ConnsecNative -FilePath $tracelog -ArgumentList $tlArgs)
            }
            'wpr' {
                $profilePath = Join-Path $PSScriptRoot 'etw\connsec.wprp'
                if (-not (Test-Path -LiteralPath $profilePath)) { throw "WPR profile not found: $profilePath" }
                [void](Invoke-ConnsecNative -FilePath 'wpr.exe' -ArgumentList @('-start', "$profilePath!Connsec", '-filemode'))
            }
        }
    } catch {
        $hint = switch ($Tool) {
            'wpr' { "a WPR recording may still be running: 'wpr -cancel'" }
            default { "a session named '$($script:ConnsecTraceSession)' may be left from an earlier run: 'logman stop $($script:ConnsecTraceSession) -ets'" }
        }
        throw "Cannot start the ETW capture ($hint). $($_.Exception.Message)"
    }
    $state = [pscustomobject]@{ Tool = $Tool; EtlPath = $EtlPath; Started = (Get-Date).ToString('o') }
    $state | ConvertTo-Json | Set-Content -LiteralPath $script:ConnsecTraceStateFile -Encoding ASCII -WhatIf:$false
    Write-Host "ETW capture of $($script:ConnsecProviderName) {$($script:ConnsecProviderGuid)} started with $Tool -> $EtlPath"
    return $state
}

function Stop-ConnsecTrace {
    <# .SYNOPSIS Stops the capture started by Start-ConnsecTrace; returns the .etl path. #>
    if (-not (Test-Path -LiteralPath $script:ConnsecTraceStateFile)) {
        throw "No capture was started by this kit ($($script:ConnsecTraceStateFile) is missing). Stop a foreign session with 'logman stop $($script:ConnsecTraceSession) -ets'."
    }
    $state = Get-Content -LiteralPath $script:ConnsecTraceStateFile -Raw | ConvertFrom-Json
    switch ($state.Tool) {
        'logman' { [void](Invoke-ConnsecNative -FilePath 'logman.exe' -ArgumentList @('stop', $script:ConnsecTraceSession, '-ets')) }
        'tracelog' {
            $tracelog = Find-ConnsecTool -Name 'tracelog.exe'
            if ($null -eq $tracelog) { throw 'tracelog.exe not found (needed to stop the tracelog session).' }
            [void](Invoke-ConnsecNative -FilePath $tracelog -ArgumentList @('-stop', $script:ConnsecTraceSession))
        }
        'wpr' { [void](Invoke-ConnsecNative -FilePath 'wpr.exe' -ArgumentList @('-stop', $state.EtlPath)) }
        default { throw "Unknown capture tool '$($state.Tool)' in $($script:ConnsecTraceStateFile)." }
    }
    Remove-Item -LiteralPath $script:ConnsecTraceStateFile -Force -WhatIf:$false
    Write-Host "ETW capture stopped: $($state.EtlPath)"
    return $state.EtlPath
}

function Show-ConnsecTrace {
    <#
    .SYNOPSIS
        Decodes an .etl and prints the Connsec.Driver events: tracefmt when the WDK is present,
        else the inbox tracerpt (XML, parsed here). Get-WinEvent cannot show TraceLogging fields.
    .OUTPUTS
        The number of connsec events found (tracerpt path), or -1 when tracefmt printed them.
    #>
    param(
        [Parameter(Mandatory = $true)][string]$EtlPath,
        [switch]$PreferTracerpt
    )
    if (-not (Test-Path -LiteralPath $EtlPath)) { throw "No such trace file: $EtlPath" }
    $base = [IO.Path]::ChangeExtension([IO.Path]::GetFullPath($EtlPath), $null).TrimEnd('.')
    $tracefmt = $null
    if (-not $PreferTracerpt) { $tracefmt = Find-ConnsecTool -Name 'tracefmt.exe' }
    if ($null -ne $tracefmt) {
        $txt = "$base.txt"
        # Only documented tracefmt options (its -jsonMeta switch is not in Microsoft's tracefmt page).
        [void](Invoke-ConnsecNative -FilePath $tracefmt -ArgumentList @($EtlPath, '-o', $txt, '-nosummary'))
        Write-Host "Decoded with tracefmt -> $txt"
        $lines = @(Get-Content -LiteralPath $txt)
        $ours = @($lines | Where-Object { $_ -match [regex]::Escape($script:ConnsecProviderName) -or $_ -match $script:ConnsecProviderGuid })
        # [unverified] tracefmt's line prefix names the provider; print everything when it does not.
        if ($ours.Count -eq 0) { $ours = $lines }
        $ours | ForEach-Object { Write-Host $_ }
        return -1
    }
    $xml = "$base.xml"
    [void](Invoke-ConnsecNative -FilePath 'tracerpt.exe' -ArgumentList @($EtlPath, '-o', $xml, '-of', 'XML', '-y'))
    [xml]$doc = Get-Content -LiteralPath $xml -Raw
    $ns = New-Object System.Xml.XmlNamespaceManager($doc.NameTable)
    $ns.AddNamespace('e', 'http://schemas.microsoft.com/win/2004/08/events/event')
    $count = 0
    foreach ($event in $doc.SelectNodes('//e:Event', $ns)) {
        $provider = $event.SelectSingleNode('e:System/e:Provider', $ns)
        if ($null -eq $provider) { continue }
        $guidAttr = $provider.GetAttribute('Guid')
        $nameAttr = $provider.GetAttribute('Name')
        if ($guidAttr -notmatch $script:ConnsecProviderGuid -and $nameAttr -ne $script:ConnsecProviderName) { continue }
        $count++
        $time = $event.SelectSingleNode('e:System/e:TimeCreated', $ns)
        $level = $event.SelectSingleNode('e:System/e:Level', $ns)
        # [unverified] tracerpt puts a TraceLogging event's name into RenderingInfo/Task.
        $task = $event.SelectSingleNode('e:RenderingInfo/e:Task', $ns)
        $name = if ($null -ne $task) { $task.InnerText } else { '(unnamed)' }
        $fields = @()
        foreach ($data in $event.SelectNodes('e:EventData/e:Data', $ns)) {
            $fields += '{0}={1}' -f $data.GetAttribute('Name'), $data.InnerText
        }
        $stamp = if ($null -ne $time) { $time.GetAttribute('SystemTime') } else { '?' }
        $lvl = if ($null -ne $level) { $level.InnerText } else { '?' }
        Write-Host ('{0} L{1} {2} {3}' -f $stamp, $lvl, $name, ($fields -join ' '))
    }
    Write-Host "Decoded with tracerpt -> $xml ($count $($script:ConnsecProviderName) event(s))"
    return $count
}
