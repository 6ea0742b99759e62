#Requires -Version 5.1
<#
.SYNOPSIS
    Undoes Initialize-TestVM.ps1: Driver Verifier off, kernel debugging off, test signing off,
    debug print filter removed; optionally removes the test certificate and the test user.

.DESCRIPTION
    Run after Uninstall-Connsec.ps1. Refuses to run, unless -Force, while
    - the connsec service still exists (turning test signing off would leave an installed driver
      that cannot load);
    - the driver's stored original descriptor (Parameters\OriginalDacl) still exists: the
      original DACL of the WFP connection objects has not been verified back, and this value may
      be the only copy of it;
    - the kit's own snapshot (%ProgramData%\connsec-kit\original-connection-sd.sddl) still
      exists: Uninstall-Connsec.ps1 deletes it only after it has proven the original is back.
    With -Force it warns, prints the stored original, and goes on.
    Secure Boot and BitLocker are not touched: turn Secure Boot back on in the VM firmware; the
    BitLocker suspension ended with the first reboot.

    Every change supports -WhatIf and -Confirm. Exit code 0 on success, 1 on failure.

.PARAMETER KeepTestSigning
    Leave test signing on.

.PARAMETER KeepDebugger
    Leave kernel debugging on.

.PARAMETER RemoveCertificate
    Remove CN=WDRLocalTestCert from LocalMachine Root and TrustedPublisher.

.PARAMETER RemoveTestUser
    Delete the local users created by Test-ConnsecAccess.ps1 (-TestUserName, default connsec-test,
    and -NcoUserName, default connsec-nco).

.PARAMETER NcoUserName
    The Network Configuration Operators test user of Test-ConnsecAccess.ps1 (default connsec-nco).

.PARAMETER Restart
    Reboot at the end.

.PARAMETER Force
    Run although the connsec service, Parameters\OriginalDacl or the kit's snapshot still exist.

.EXAMPLE
    .\Reset-TestVM.ps1 -WhatIf

.EXAMPLE
    .\Reset-TestVM.ps1 -RemoveCertificate -RemoveTestUser -Restart
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
param(
    [switch]$KeepTestSigning,
    [switch]$KeepDebugger,
    [switch]$RemoveCertificate,
    [switch]$RemoveTestUser,
    [ValidatePattern('^[A-Za-z0-9_.-]{1,20}$')][string]$TestUserName = 'connsec-test',
    [ValidatePattern('^[A-Za-z0-9_.-]{1,20}$')][string]$NcoUserName = 'connsec-nco',
    [switch]$Restart,
    [switch]$Force
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'ConnsecCommon.ps1')

try {
    Assert-ConnsecAdministrator
    if ($null -ne (Get-ConnsecDriverService) -and -not $Force) {
        throw 'The connsec service is still installed: run Uninstall-Connsec.ps1 first (or pass -Force).'
    }
    $unfinished = @()
    $stored = Get-ItemProperty -LiteralPath $script:ConnsecParametersKey -Name $script:ConnsecOriginalDaclValue -ErrorAction SilentlyContinue
    if ($null -ne $stored) {
        $hex = -join ($stored.($script:ConnsecOriginalDaclValue) | ForEach-Object { $_.ToString('x2') })
        $unfinished += "$($script:ConnsecParametersKey)\$($script:ConnsecOriginalDaclValue) still holds the original descriptor (hex $hex; decode it with connsecctl explain): the original DACL has not been verified back. Run Uninstall-Connsec.ps1."
    }
    if (Test-Path -LiteralPath $script:ConnsecOriginalSddlFile) {
        $unfinished += "The kit's snapshot $($script:ConnsecOriginalSddlFile) still exists ($((Get-Content -LiteralPath $script:ConnsecOriginalSddlFile -Raw).Trim())): Uninstall-Connsec.ps1 has not proven the original DACL is back."
    }
    foreach ($u in $unfinished) {
        if ($Force) { Write-Warning $u } else { throw "$u (Or pass -Force.)" }
    }

    Write-ConnsecStep 'Driver Verifier'
    if ($PSCmdlet.ShouldProcess('Driver Verifier', 'verifier /reset')) {
        # verifier exits 2 when the change needs a reboot.
        $out = Invoke-ConnsecNative -FilePath 'verifier.exe' -ArgumentList @('/reset') -AllowedExitCodes @(0, 2)
        $out | ForEach-Object { Write-Host $_ }
    }

    if (-not $KeepDebugger) {
        Write-ConnsecStep 'Kernel debugging'
        if ($PSCmdlet.ShouldProcess('boot configuration {current}', 'bcdedit /debug off')) {
            [void](Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/debug', 'off'))
            Write-Host 'Kernel debugging off (after reboot).'
        }
        $filterKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Debug Print Filter'
        if ((Test-Path -LiteralPath $filterKey) -and $null -ne (Get-ItemProperty -LiteralPath $filterKey).PSObject.Properties['DEFAULT']) {
            if ($PSCmdlet.ShouldProcess("$filterKey\DEFAULT", 'Remove')) {
                Remove-ItemProperty -LiteralPath $filterKey -Name 'DEFAULT'
            }
        }
    }

    if (-not $KeepTestSigning) {
        Write-ConnsecStep 'Test signing'
        if ($PSCmdlet.ShouldProcess('boot configuration {current}', 'bcdedit /set testsigning off')) {
            [void](Invoke-ConnsecNative -FilePath 'bcdedit.exe' -ArgumentList @('/set', 'testsigning', 'off'))
            Write-Host 'Test signing off (after reboot).'
        }
    }

    if ($RemoveCertificate) {
        Write-ConnsecStep 'Test certificate'
        foreach ($storeName in @('Root', 'TrustedPublisher')) {
            $store = New-Object System.Security.Cryptography.X509Certificates.X509Store -ArgumentList @($storeName, 'LocalMachine')
            $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite)
            try {
                foreach ($cert in @($store.Certificates | Where-Object { $_.Subject -eq $script:ConnsecTestCertSubject })) {
                    if ($PSCmdlet.ShouldProcess("LocalMachine\$storeName", "Remove $($cert.Subject) $($cert.Thumbprint)")) {
                        $store.Remove($cert)
                        Write-Host "Removed $($cert.Thumbprint) from LocalMachine\$storeName."
                    }
                }
            } finally {
                $store.Close()
            }
        }
    }

    if ($RemoveTestUser) {
        Write-ConnsecStep 'Test users'
        foreach ($name in @($TestUserName, $NcoUserName)) {
            if ([ADSI]::Exists("WinNT://$env:COMPUTERNAME/$name,user")) {
                if ($PSCmdlet.ShouldProcess("local user $name", 'Delete')) {
                    ([ADSI]"WinNT://$env:COMPUTERNAME,computer").Delete('User', $name)
                    Write-Host "Deleted $name (its profile folder under C:\Users stays)."
                }
            } else {
                Write-Host "No local user $name."
            }
        }
    }

    if (-not $WhatIfPreference -and (Test-Path -LiteralPath $script:ConnsecStateDir)) {
        Write-Host "Kit state and traces remain in $($script:ConnsecStateDir); delete the folder when you no longer need them."
    }

    Write-ConnsecStep 'Done'
    Write-Host 'Reboot for the boot-configuration and verifier changes. Turn Secure Boot back on in the VM firmware if you want it.'
    if ($Restart -and $PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'Restart-Computer')) {
        Restart-Computer -Force
    }
    exit 0
} catch {
    Write-Error -Message "Reset-TestVM failed: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
