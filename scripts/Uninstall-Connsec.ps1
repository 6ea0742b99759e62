#Requires -Version 5.1
<#
.SYNOPSIS
    Uninstalls connsec: stops the service (the driver restores the original DACL when
    RestoreOnUnload = 1), checks the descriptor against the driver's stored original
    (Parameters\OriginalDacl) or the kit's snapshot and restores it if needed, removes the driver
    package and the service.

.DESCRIPTION
    1. Starts an ETW capture, stops the service, stops the capture and prints the events (the
       driver's restore outcome is among them).
    2. Finds the original descriptor. The driver keeps a durable copy in the REG_BINARY value
       HKLM\SYSTEM\CurrentControlSet\Services\connsec\Parameters\OriginalDacl (the
       self-relative bytes FwpmConnectionGetSecurityInfo0 returned before connsec first set its
       DACL; docs/original-descriptor.md) and deletes it after a verified restore at unload. If
       the value is still there (RestoreOnUnload = 0, a failed restore, or the driver never
       unloaded: a crash, a reboot, a driver that is gone), it is the original, also when the
       driver is no longer installed or running. Otherwise the kit's snapshot
       %ProgramData%\connsec-kit\original-connection-sd.sddl (saved by Install-Connsec.ps1) is.
    3. Compares the live DACL of the WFP connection objects with that original. When they differ,
       writes the original DACL back with FwpmConnectionSetSecurityInfo0 (the same call the kit
       uses, Set-ConnsecConnectionDacl: protected or not as the original was) and reads it back.
       Only when the live DACL then equals the original is OriginalDacl deleted. If it does not
       (or the original cannot be read), the script stops here and removes nothing: deleting the
       service would delete Parameters\OriginalDacl, the only copy the driver made.
    4. pnputil /delete-driver <oemNN.inf> /uninstall for every published copy of connsec.inf
       (a primitive driver needs no uninstall section: Windows undoes the install), then deletes
       the service with sc.exe if it still exists.
    5. Optionally removes the test certificate from LocalMachine Root and TrustedPublisher.

    Every change supports -WhatIf and -Confirm. Exit code 0 on success, 1 on failure.

.PARAMETER OriginalSddlPath
    The kit's snapshot, used when Parameters\OriginalDacl does not exist (default: the one
    Install-Connsec.ps1 saved).

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

function Get-StoredOriginalDacl {
    <#
    .SYNOPSIS
        The driver's durable original (Parameters\OriginalDacl) as SDDL, or $null when the value
        (or the service key) does not exist. Throws when the value exists but is not a readable
        self-relative security descriptor.
    #>
    $item = Get-ItemProperty -LiteralPath $script:ConnsecParametersKey -Name $script:ConnsecOriginalDaclValue -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    $bytes = $item.($script:ConnsecOriginalDaclValue)
    if ($bytes -isnot [byte[]] -or $bytes.Length -lt 20) {
        throw "$($script:ConnsecParametersKey)\$($script:ConnsecOriginalDaclValue) is not a REG_BINARY security descriptor."
    }
    $raw = New-Object System.Security.AccessControl.RawSecurityDescriptor -ArgumentList @($bytes, 0)
    if ($null -eq $raw.DiscretionaryAcl) {
        throw "$($script:ConnsecParametersKey)\$($script:ConnsecOriginalDaclValue) holds a NULL DACL; connsec never sets one, so it cannot be restored by this kit."
    }
    return $raw.GetSddlForm([System.Security.AccessControl.AccessControlSections]::All)
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
    # The driver's stored original (Parameters\OriginalDacl) must never be lost before the live
    # DACL is proven equal to it: a failure here stops the script before the service (and with it
    # the value) is deleted. Without it, a mismatch with the kit's snapshot is recorded and the
    # removal goes on: a driver package left behind would be worse than a descriptor to fix by
    # hand. The exit code is 1 when any problem was recorded.
    $stored = Get-StoredOriginalDacl
    $snapshot = $null
    if (Test-Path -LiteralPath $OriginalSddlPath) { $snapshot = (Get-Content -LiteralPath $OriginalSddlPath -Raw).Trim() }
    if ($null -ne $stored) {
        Write-Host "Parameters\$($script:ConnsecOriginalDaclValue) is present (the driver did not restore and delete it): it is the original."
        Write-Host "Stored:   $stored"
        if ($null -ne $snapshot -and (Get-ConnsecDaclPart -Sddl $snapshot) -ne (Get-ConnsecDaclPart -Sddl $stored)) {
            Write-Warning "The kit's snapshot ($OriginalSddlPath) differs from the driver's stored original; restoring the stored one. Snapshot: $snapshot"
        }
        $live = Get-ConnsecConnectionSddl
        Write-Host "Live:     $live"
        $restoreSkipped = $false
        if ((Get-ConnsecDaclPart -Sddl $live) -ne (Get-ConnsecDaclPart -Sddl $stored)) {
            if ($PSCmdlet.ShouldProcess('WFP connection objects', "Restore DACL $(Get-ConnsecDaclPart -Sddl $stored)")) {
                Set-ConnsecConnectionDacl -Sddl $stored
                $live = Get-ConnsecConnectionSddl
                Write-Host "After restore: $live"
            } else {
                $restoreSkipped = $true
            }
        }
        if ($restoreSkipped) {
            Write-Host '(-WhatIf) the stored original would be written back and verified before anything is removed.'
        } elseif ((Get-ConnsecDaclPart -Sddl $live) -ne (Get-ConnsecDaclPart -Sddl $stored)) {
            throw "The live DACL is not the stored original after writing it back: nothing was removed, and Parameters\$($script:ConnsecOriginalDaclValue) is kept. Compare the lines above, fix the DACL (or run this script again), then uninstall."
        } else {
            Write-Host 'The DACL is the stored original.' -ForegroundColor Green
        }
        if (-not $restoreSkipped -and $PSCmdlet.ShouldProcess("$($script:ConnsecParametersKey)\$($script:ConnsecOriginalDaclValue)", 'Delete (the original is verified back)')) {
            Remove-ItemProperty -LiteralPath $script:ConnsecParametersKey -Name $script:ConnsecOriginalDaclValue
        }
        if ($null -ne $snapshot -and -not $KeepSnapshot -and -not $WhatIfPreference) {
            Remove-Item -LiteralPath $OriginalSddlPath -Force
        }
    } else {
        try {
            $live = Get-ConnsecConnectionSddl
            Write-Host "Live:     $live"
            if ($null -eq $snapshot) {
                Write-Warning "Neither Parameters\$($script:ConnsecOriginalDaclValue) nor a snapshot at $OriginalSddlPath (Install-Connsec.ps1 saves it): cannot prove the original DACL is back."
            } else {
                Write-Host "Original: $snapshot (the kit's snapshot; the driver kept no stored original, so it restored and deleted it, or never applied its DACL)"
                if ((Get-ConnsecDaclPart -Sddl $live) -eq (Get-ConnsecDaclPart -Sddl $snapshot)) {
                    Write-Host 'The DACL is the original one.' -ForegroundColor Green
                } else {
                    Write-Warning 'The DACL differs from the original (RestoreOnUnload = 0, or the restore failed).'
                    if ($PSCmdlet.ShouldProcess('WFP connection objects', "Restore DACL $(Get-ConnsecDaclPart -Sddl $snapshot)")) {
                        Set-ConnsecConnectionDacl -Sddl $snapshot
                        $after = Get-ConnsecConnectionSddl
                        Write-Host "After restore: $after"
                        if ((Get-ConnsecDaclPart -Sddl $after) -ne (Get-ConnsecDaclPart -Sddl $snapshot)) {
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
