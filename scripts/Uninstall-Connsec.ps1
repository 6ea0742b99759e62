#Requires -Version 5.1
<#
.SYNOPSIS
    Uninstalls connsec: stops the service (the driver restores the original DACL when
    RestoreOnUnload = 1), checks the descriptor against the snapshot taken at install and
    restores it if needed, removes the driver package and the service.

.DESCRIPTION
    1. Starts an ETW capture, stops the service, stops the capture and prints the events (the
       driver's restore outcome is among them).
    2. Compares the DACL of the WFP connection objects with
       %ProgramData%\connsec-kit\original-connection-sd.sddl (saved by Install-Connsec.ps1).
       When they differ (RestoreOnUnload = 0, or the restore failed), writes the original DACL
       back with FwpmConnectionSetSecurityInfo0 and checks again.
    3. pnputil /delete-driver <oemNN.inf> /uninstall for every published copy of connsec.inf
       (a primitive driver needs no uninstall section: Windows undoes the install), then deletes
       the service with sc.exe if it still exists.
    4. Optionally removes the test certificate from LocalMachine Root and TrustedPublisher.

    Every change supports -WhatIf and -Confirm. Exit code 0 on success, 1 on failure.

.PARAMETER OriginalSddlPath
    Snapshot to compare with / restore from (default: the one Install-Connsec.ps1 saved).

.PARAMETER RemoveCertificate
    Also remove CN=WDRLocalTestCert from LocalMachine Root and TrustedPublisher.

.PARAMETER KeepSnapshot
    Keep the snapshot file (default: delete it once the descriptor is back to it).

.PARAMETER TraceTool
    logman (default), tracelog or wpr.

.EXAMPLE
    .\Uninstall-Connsec.ps1 -WhatIf

.EXAMPLE
    .\Uninstall-Connsec.ps1 -RemoveCertificate
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
param(
    [string]$OriginalSddlPath,
    [switch]$RemoveCertificate,
    [switch]$KeepSnapshot,
    [ValidateSet('logman', 'tracelog', 'wpr')][string]$TraceTool = 'logman'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

function Find-PublishedInf {
    # The driver store renames connsec.inf to oemNN.inf; find the copies by content (an INF that
    # installs connsec.sys), which does not depend on pnputil's localized output.
    $infDir = Join-Path $env:windir 'INF'
    $found = @()
    foreach ($file in Get-ChildItem -LiteralPath $infDir -Filter 'oem*.inf' -File -ErrorAction SilentlyContinue) {
        $text = Get-Content -LiteralPath $file.FullName -Raw -ErrorAction SilentlyContinue
        if ($null -ne $text -and $text -match '(?im)^\s*ServiceBinary\s*=\s*[^;\r\n]*\\connsec\.sys\b') { $found += $file.Name }
    }
    return $found
}

function Remove-ConnsecCertificate {
    param([Parameter(Mandatory = $true)][string]$StoreName)
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store -ArgumentList @($StoreName, 'LocalMachine')
    $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite)
    try {
        foreach ($cert in @($store.Certificates | Where-Object { $_.Subject -eq $script:ConnsecTestCertSubject })) {
            if ($PSCmdlet.ShouldProcess("LocalMachine\$StoreName", "Remove $($cert.Subject) $($cert.Thumbprint)")) {
                $store.Remove($cert)
                Write-Host "Removed $($cert.Subject) ($($cert.Thumbprint)) from LocalMachine\$StoreName."
            }
        }
    } finally {
        $store.Close()
    }
}

$captureRunning = $false
$failures = @()
try {
    Assert-ConnsecAdministrator
    if ([string]::IsNullOrEmpty($OriginalSddlPath)) { $OriginalSddlPath = $script:ConnsecOriginalSddlFile }

    Write-ConnsecStep 'Stop the service'
    $svc = Get-ConnsecDriverService
    if ($null -eq $svc) {
        Write-Host 'The connsec service is not installed.'
    } elseif ($svc.State -eq 'Stopped') {
        Write-Host 'connsec is already stopped.'
    } elseif ($PSCmdlet.ShouldProcess($script:ConnsecServiceName, 'Stop the service (with an ETW capture)')) {
        $null = Start-ConnsecTrace -Tool $TraceTool
        $captureRunning = $true
        $stopError = $null
        try { Stop-ConnsecDriver } catch { $stopError = $_.Exception.Message }
        Start-Sleep -Seconds 2
        $etl = Stop-ConnsecTrace
        $captureRunning = $false
        $null = Show-ConnsecTrace -EtlPath $etl
        if ($null -ne $stopError) { throw "Stopping connsec failed: $stopError" }
    }

    Write-ConnsecStep 'Original connection-object descriptor'
    # Problems here are recorded and the removal goes on: a driver package left behind would be
    # worse than a descriptor to fix by hand. The exit code is 1 when any was recorded.
    try {
        $live = Get-ConnsecConnectionSddl
        Write-Host "Live:     $live"
        if (-not (Test-Path -LiteralPath $OriginalSddlPath)) {
            Write-Warning "No snapshot at $OriginalSddlPath (Install-Connsec.ps1 saves it): cannot prove the original DACL is back."
        } else {
            $original = (Get-Content -LiteralPath $OriginalSddlPath -Raw).Trim()
            Write-Host "Original: $original"
            if ((Get-ConnsecDaclPart -Sddl $live) -eq (Get-ConnsecDaclPart -Sddl $original)) {
                Write-Host 'The DACL is the original one.' -ForegroundColor Green
            } else {
                Write-Warning 'The DACL differs from the original (RestoreOnUnload = 0, or the restore failed).'
                if ($PSCmdlet.ShouldProcess('WFP connection objects', "Restore DACL $(Get-ConnsecDaclPart -Sddl $original)")) {
                    Set-ConnsecConnectionDacl -Sddl $original
                    $after = Get-ConnsecConnectionSddl
                    Write-Host "After restore: $after"
                    if ((Get-ConnsecDaclPart -Sddl $after) -ne (Get-ConnsecDaclPart -Sddl $original)) {
                        throw 'The DACL is still not the original after writing it back (BFE may merge inherited ACEs; compare the two lines above).'
                    }
                    Write-Host 'Original DACL restored.' -ForegroundColor Green
                }
            }
            if (-not $KeepSnapshot -and -not $WhatIfPreference) {
                Remove-Item -LiteralPath $OriginalSddlPath -Force
            }
        }
    } catch {
        $failures += "descriptor: $($_.Exception.Message) (snapshot kept at $OriginalSddlPath)"
        Write-Warning $failures[-1]
    }

    Write-ConnsecStep 'Driver package'
    $svcBefore = Get-ConnsecDriverService
    $imagePath = if ($null -ne $svcBefore) { [string]$svcBefore.PathName } else { $null }
    $published = @(Find-PublishedInf)
    if ($published.Count -eq 0) { Write-Host 'No connsec driver package in the driver store.' }
    foreach ($oem in $published) {
        if ($PSCmdlet.ShouldProcess($oem, 'pnputil /delete-driver /uninstall')) {
            $out = Invoke-ConnsecNative -FilePath 'pnputil.exe' -ArgumentList @('/delete-driver', $oem, '/uninstall') -AllowedExitCodes @(0, 3010)
            $out | ForEach-Object { Write-Host $_ }
        }
    }

    Write-ConnsecStep 'Service'
    if ($null -ne (Get-ConnsecDriverService)) {
        if ($PSCmdlet.ShouldProcess($script:ConnsecServiceName, 'sc.exe delete')) {
            # 1072 = already marked for deletion (goes away at the next reboot).
            $out = Invoke-ConnsecNative -FilePath 'sc.exe' -ArgumentList @('delete', $script:ConnsecServiceName) -AllowedExitCodes @(0, 1072)
            $out | ForEach-Object { Write-Host $_ }
        }
    } else {
        Write-Host 'The connsec service is gone.'
    }
    # The INF installs to the driver store (DestinationDirs 13), which pnputil cleans up; a path
    # from an older install (System32\drivers) would stay behind.
    if ($null -ne $imagePath) {
        $binary = $imagePath -replace '^\\\?\?\\', '' -replace '^\\SystemRoot\\', "$env:windir\" -replace '^(?i)System32\\', "$env:windir\System32\"
        if (Test-Path -LiteralPath $binary) { Write-Warning "$binary is still present (removed at reboot if it was in use)." } else { Write-Host "$binary is gone." }
    }

    if ($RemoveCertificate) {
        Write-ConnsecStep 'Test certificate'
        Remove-ConnsecCertificate -StoreName 'Root'
        Remove-ConnsecCertificate -StoreName 'TrustedPublisher'
    }

    if ($failures.Count -gt 0) {
        $nl = [Environment]::NewLine
        throw ("finished with problems:" + $nl + '  ' + ($failures -join ($nl + '  ')))
    }
    Write-ConnsecStep 'Done'
    Write-Host 'To return the VM to normal: .\Reset-TestVM.ps1 (Driver Verifier, test signing, debugging).'
    exit 0
} catch {
    if ($captureRunning) {
        try { [void](Stop-ConnsecTrace) } catch { Write-Warning "Could not stop the ETW capture: $($_.Exception.Message)" }
    }
    Write-Error -Message "Uninstall-Connsec failed: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
