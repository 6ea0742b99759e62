#Requires -Version 5.1
<#
.SYNOPSIS
    Installs the connsec driver package on a prepared test VM, starts it and shows its first ETW
    events.

.DESCRIPTION
    1. Checks the package folder (connsec.inf, connsec.sys, connsec.cat, WDRLocalTestCert.cer)
       and that test signing is on.
    2. Adds WDRLocalTestCert.cer to LocalMachine "Root" and "TrustedPublisher" (skipped when the
       certificate is already there).
    3. Saves the live security descriptor of WFP connection objects to
       %ProgramData%\connsec-kit\original-connection-sd.sddl while connsec is not running, so
       Uninstall-Connsec.ps1 can prove (or restore) the original after removal.
    4. pnputil /add-driver connsec.inf /install: connsec is a primitive driver (an INF with
       [DefaultInstall.NTamd64] and no hardware ID; pnputil installs those from Windows 10 1903 on,
       connsec.sys itself needs 2004), which is how Windows installs and tracks such a package in
       the driver store. Exit codes 0, 3010 (reboot required) and 259 (nothing to install on a
       device; a reinstall of the same package can return it) are accepted; the connsec service
       must exist afterwards. With -UseInstallHinfSection it runs
       rundll32.exe setupapi.dll,InstallHinfSection DefaultInstall.NTamd64 132 <absolute INF path>
       instead, which Windows 10 1903 and later route to DiInstallDriver for a primitive INF
       (Microsoft: "Creating a primitive driver").
    5. Optionally writes the Parameters values (Principals, DaclSddl, RestoreOnUnload,
       AllowUnsafeDacl) over the INF defaults.
    6. Starts an ETW capture of Connsec.Driver, starts the service, stops the capture and prints
       the decoded events (also when the start fails: the events say why).

    Every change supports -WhatIf and -Confirm. Exit code 0 on success, 1 on failure.

.PARAMETER PackagePath
    Folder with connsec.inf and the files it names. Default: the first of .\connsec_package next
    to this script, this script's folder, driver\target\{release,debug}\connsec_package.

.PARAMETER Principals
    REG_MULTI_SZ Principals entries to write (syntax: docs/configuration.md); default: keep the
    INF's value.

.PARAMETER DaclSddl
    REG_SZ DaclSddl to write; default: keep the INF's value.

.PARAMETER RestoreOnUnload
    REG_DWORD RestoreOnUnload (1 = restore the original DACL when the driver unloads).

.PARAMETER AllowUnsafeDacl
    REG_DWORD AllowUnsafeDacl (1 = accept DACLs that lock out SYSTEM/Administrators).

.PARAMETER TraceTool
    logman (inbox, default), tracelog (WDK) or wpr.

.PARAMETER UseInstallHinfSection
    Install with setupapi's InstallHinfSection instead of pnputil (the fallback when pnputil
    leaves no connsec service; see C:\Windows\INF\setupapi.dev.log).

.PARAMETER NoStart
    Install only; do not start the service.

.PARAMETER NewSnapshot
    Replace an existing snapshot of the original descriptor (normally kept: Uninstall-Connsec.ps1
    deletes it only after proving the original is back).

.PARAMETER Force
    Continue although test signing appears to be off.

.EXAMPLE
    .\Install-Connsec.ps1 -PackagePath C:\connsec\connsec_package -WhatIf

.EXAMPLE
    .\Install-Connsec.ps1 -PackagePath C:\connsec\connsec_package -Principals 'SY:GENERIC_ALL','BA:GENERIC_ALL'
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
param(
    [string]$PackagePath,
    [string[]]$Principals,
    [string]$DaclSddl,
    [ValidateSet(0, 1)][int]$RestoreOnUnload = -1,
    [ValidateSet(0, 1)][int]$AllowUnsafeDacl = -1,
    [ValidateSet('logman', 'tracelog', 'wpr')][string]$TraceTool = 'logman',
    [switch]$UseInstallHinfSection,
    [switch]$NoStart,
    [switch]$NewSnapshot,
    [switch]$Force
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

function Add-ConnsecCertificate {
    param([Parameter(Mandatory = $true)][string]$Path, [Parameter(Mandatory = $true)][string]$StoreName)
    $cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList @($Path)
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store -ArgumentList @($StoreName, 'LocalMachine')
    $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite)
    try {
        $present = @($store.Certificates | Where-Object { $_.Thumbprint -eq $cert.Thumbprint })
        if ($present.Count -gt 0) {
            Write-Host "$($cert.Subject) ($($cert.Thumbprint)) is already in LocalMachine\$StoreName."
        } elseif ($PSCmdlet.ShouldProcess("LocalMachine\$StoreName", "Add certificate $($cert.Subject) $($cert.Thumbprint)")) {
            $store.Add($cert)
            Write-Host "Added $($cert.Subject) ($($cert.Thumbprint)) to LocalMachine\$StoreName."
        }
    } finally {
        $store.Close()
    }
}

$captureRunning = $false
try {
    Assert-ConnsecAdministrator

    Write-ConnsecStep 'Package'
    $package = Get-ConnsecPackagePath -PackagePath $PackagePath
    Write-Host "Package folder: $package"
    foreach ($file in @($script:ConnsecInfName, $script:ConnsecDriverFile, 'connsec.cat', $script:ConnsecTestCertFile)) {
        $full = Join-Path $package $file
        if (-not (Test-Path -LiteralPath $full -PathType Leaf)) { throw "The package folder lacks $file ($full). Build it on the host with 'cargo make package' in driver\." }
    }
    $sig = Get-AuthenticodeSignature -FilePath (Join-Path $package $script:ConnsecDriverFile)
    $signer = if ($null -ne $sig.SignerCertificate) { $sig.SignerCertificate.Subject } else { 'no signer' }
    Write-Host "connsec.sys signature: $($sig.Status) ($signer; a test certificate shows UnknownError until it is trusted)"
    if (Test-Path -LiteralPath (Join-Path $package 'connsec.pdb')) { Write-Host 'connsec.pdb present (point the debugger symbol path at this folder).' }

    Write-ConnsecStep 'Boot configuration'
    $bcd = (Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/enum', '{current}')) -join "`n"
    if ($bcd -notmatch '(?m)^testsigning\s+Yes') {
        $msg = 'Test signing looks off (bcdedit /enum {current} shows no "testsigning Yes"): the test-signed driver will not load. Run Initialize-TestVM.ps1 and reboot. On a non-English Windows bcdedit may print the value translated.'
        if (-not $Force) { throw "$msg (Use -Force to install anyway.)" }
        Write-Warning $msg
    } else {
        Write-Host 'Test signing is on.'
    }
    if ($bcd -match '(?m)^debug\s+Yes') { Write-Host 'Kernel debugging is on.' } else { Write-Host 'Kernel debugging is off (optional).' }

    Write-ConnsecStep 'Test certificate'
    $cer = Join-Path $package $script:ConnsecTestCertFile
    Add-ConnsecCertificate -Path $cer -StoreName 'Root'
    Add-ConnsecCertificate -Path $cer -StoreName 'TrustedPublisher'

    Write-ConnsecStep 'Original connection-object security descriptor'
    $svc = Get-ConnsecDriverService
    if (-not (Test-Path -LiteralPath (Join-Path $script:ConnsecStateDir 'access-baseline.json'))) {
        Write-Warning 'No access baseline yet: Test-ConnsecAccess.ps1 compares with one. Run .\Test-ConnsecAccess.ps1 -SaveBaseline before this install (docs/walkthrough.md, step 7).'
    }
    if ((Test-Path -LiteralPath $script:ConnsecOriginalSddlFile) -and -not $NewSnapshot) {
        # Uninstall-Connsec.ps1 deletes the snapshot once the original is back; one that is still
        # here belongs to an earlier install whose descriptor was not proven restored.
        Write-Host "Keeping the existing snapshot $($script:ConnsecOriginalSddlFile): $((Get-Content -LiteralPath $script:ConnsecOriginalSddlFile -Raw).Trim())"
        Write-Host '(Pass -NewSnapshot to replace it with the live descriptor.)'
    } elseif ($null -ne $svc -and $svc.State -eq 'Running') {
        Write-Warning 'connsec is already running: the live descriptor is the one the driver set, so no snapshot is taken and Uninstall-Connsec.ps1 cannot compare.'
    } else {
        $sddl = Get-ConnsecConnectionSddl
        Write-Host "Live descriptor: $sddl"
        if ($PSCmdlet.ShouldProcess($script:ConnsecOriginalSddlFile, 'Save the original descriptor')) {
            [void](Get-ConnsecStateDir)
            Set-Content -LiteralPath $script:ConnsecOriginalSddlFile -Value $sddl -Encoding ASCII
            Write-Host "Saved to $($script:ConnsecOriginalSddlFile)."
        }
    }

    Write-ConnsecStep 'Driver package'
    $inf = Join-Path $package $script:ConnsecInfName
    $infPath = [IO.Path]::GetFullPath($inf)
    $how = if ($UseInstallHinfSection) { 'rundll32 setupapi.dll,InstallHinfSection DefaultInstall.NTamd64 132' } else { 'pnputil /add-driver /install' }
    if ($PSCmdlet.ShouldProcess($infPath, $how)) {
        if ($UseInstallHinfSection) {
            # 132 = 128 (the INF's folder is the source path) + 4 (ask before rebooting). rundll32
            # reports nothing through its exit code; the service check below decides.
            [void](Invoke-ConnsecNative -FilePath 'rundll32.exe' -ArgumentList @('setupapi.dll,InstallHinfSection', 'DefaultInstall.NTamd64', '132', $infPath) -AllowedExitCodes @(0, 1))
        } else {
            # 3010 = installed, reboot required; 259 (ERROR_NO_MORE_ITEMS) = staged, nothing to
            # install on a device, as a reinstall of the same package can report.
            $result = Invoke-ConnsecNative -FilePath 'pnputil.exe' -ArgumentList @('/add-driver', $infPath, '/install') -AllowedExitCodes @(0, 3010, 259) -PassThruExitCode
            $result.Output | ForEach-Object { Write-Host $_ }
            if ($result.ExitCode -eq 3010) { Write-Warning 'pnputil asks for a reboot before the driver can start.' }
            if ($result.ExitCode -eq 259) { Write-Host 'pnputil: 259, the package is staged and there was no device to install it on (expected for a reinstall).' }
        }
        $svc = Get-ConnsecDriverService
        if ($null -eq $svc) { throw "$how finished but no '$($script:ConnsecServiceName)' service exists: read C:\Windows\INF\setupapi.dev.log, then try -UseInstallHinfSection (docs/inf.md)." }
        Write-Host "Service $($svc.Name): $($svc.State), start mode $($svc.StartMode), binary $($svc.PathName)"
    }

    Write-ConnsecStep 'Parameters'
    # Exactly one of Principals and DaclSddl may exist (the driver refuses a key with both), so
    # writing one deletes the other, as `connsecctl emit` does.
    if ($PSBoundParameters.ContainsKey('Principals') -and $PSBoundParameters.ContainsKey('DaclSddl')) {
        throw '-Principals and -DaclSddl are alternatives: give one of them.'
    }
    $deletes = @()
    if ($PSBoundParameters.ContainsKey('Principals')) { $deletes += 'DaclSddl' }
    if ($PSBoundParameters.ContainsKey('DaclSddl')) { $deletes += 'Principals' }
    foreach ($d in $deletes) {
        $existing = $null
        if (Test-Path -LiteralPath $script:ConnsecParametersKey) {
            $existing = (Get-ItemProperty -LiteralPath $script:ConnsecParametersKey).PSObject.Properties[$d]
        }
        if ($null -ne $existing -and $PSCmdlet.ShouldProcess("$($script:ConnsecParametersKey)\$d", 'Delete value (the other policy value is being written)')) {
            Remove-ItemProperty -LiteralPath $script:ConnsecParametersKey -Name $d
        }
    }
    $writes = @()
    if ($PSBoundParameters.ContainsKey('Principals')) { $writes += , @('Principals', 'MultiString', [string[]]$Principals) }
    if ($PSBoundParameters.ContainsKey('DaclSddl')) { $writes += , @('DaclSddl', 'String', $DaclSddl) }
    if ($RestoreOnUnload -ge 0) { $writes += , @('RestoreOnUnload', 'DWord', $RestoreOnUnload) }
    if ($AllowUnsafeDacl -ge 0) { $writes += , @('AllowUnsafeDacl', 'DWord', $AllowUnsafeDacl) }
    foreach ($w in $writes) {
        if ($PSCmdlet.ShouldProcess("$($script:ConnsecParametersKey)\$($w[0])", "Set $($w[1]) value")) {
            if (-not (Test-Path -LiteralPath $script:ConnsecParametersKey)) { [void](New-Item -Path $script:ConnsecParametersKey -Force) }
            [void](New-ItemProperty -LiteralPath $script:ConnsecParametersKey -Name $w[0] -PropertyType $w[1] -Value $w[2] -Force)
        }
    }
    if (Test-Path -LiteralPath $script:ConnsecParametersKey) {
        $values = Get-ItemProperty -LiteralPath $script:ConnsecParametersKey
        foreach ($name in @('Principals', 'DaclSddl', 'RestoreOnUnload', 'AllowUnsafeDacl')) {
            $prop = $values.PSObject.Properties[$name]
            $shown = if ($null -eq $prop) { '(not set: driver default)' } else { ($prop.Value | ForEach-Object { "$_" }) -join ' | ' }
            Write-Host ("  {0,-16} {1}" -f $name, $shown)
        }
    } else {
        Write-Host "  $($script:ConnsecParametersKey) does not exist (yet)."
    }

    if ($NoStart) {
        Write-Host 'Not started (-NoStart). Start later with: sc.exe start connsec'
        exit 0
    }

    Write-ConnsecStep 'Start with an ETW capture'
    if ($PSCmdlet.ShouldProcess($script:ConnsecServiceName, 'Start the service (with an ETW capture)')) {
        $null = Start-ConnsecTrace -Tool $TraceTool
        $captureRunning = $true
        $startError = $null
        try {
            Start-ConnsecDriver
        } catch {
            $startError = $_.Exception.Message
        }
        Start-Sleep -Seconds 2  # let the session flush the DriverEntry events
        $etl = Stop-ConnsecTrace
        $captureRunning = $false
        Write-ConnsecStep "First $($script:ConnsecProviderName) events"
        $count = Show-ConnsecTrace -EtlPath $etl
        if ($count -eq 0) { Write-Warning "No $($script:ConnsecProviderName) events were captured: is the provider registered in DriverEntry with GUID $($script:ConnsecProviderGuid)?" }
        if ($null -ne $startError) {
            $code = 0
            $m = [regex]::Match($startError, 'exit code (\d+)')
            if ($m.Success) { $code = [int]$m.Groups[1].Value }
            throw "Starting connsec failed: $startError$([Environment]::NewLine)Hint: $(Get-ConnsecStartFailureHint -Code $code)"
        }
        $svc = Get-ConnsecDriverService
        Write-Host "connsec is $($svc.State)."
        Write-Host "Live connection-object descriptor now: $(Get-ConnsecConnectionSddlOrReason)"
    }

    Write-ConnsecStep 'Done'
    Write-Host 'Next: .\Test-ConnsecAccess.ps1 (status and probe as administrator and as standard users, against the baseline).'
    exit 0
} catch {
    if ($captureRunning) {
        try { [void](Stop-ConnsecTrace) } catch { Write-Warning "Could not stop the ETW capture: $($_.Exception.Message)" }
    }
    Write-Error -Message "Install-Connsec failed: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
