#Requires -Version 5.1
<#
.SYNOPSIS
    Undoes Initialize-TestVM.ps1: Driver Verifier off, kernel debugging off, test signing off,
    debug print filter removed; optionally removes the test certificate and the test user.

.DESCRIPTION
    Run after Uninstall-Connsec.ps1. Refuses to run while the connsec service still exists
    (turning test signing off would leave an installed driver that cannot load), unless -Force.
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
    Delete the local user created by Test-ConnsecAccess.ps1 (-TestUserName, default connsec-test).

.PARAMETER Restart
    Reboot at the end.

.PARAMETER Force
    Run although the connsec service is still installed.

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
        Write-ConnsecStep 'Test user'
        if ([ADSI]::Exists("WinNT://$env:COMPUTERNAME/$TestUserName,user")) {
            if ($PSCmdlet.ShouldProcess("local user $TestUserName", 'Delete')) {
                ([ADSI]"WinNT://$env:COMPUTERNAME,computer").Delete('User', $TestUserName)
                Write-Host "Deleted $TestUserName (its profile folder under C:\Users stays)."
            }
        } else {
            Write-Host "No local user $TestUserName."
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
