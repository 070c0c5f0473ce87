// Mail for a SaaS product on Azure, written in Bicep: Communication Services sends it, with its
// message data where main.bicepparam says; an archive storage account replicated to the
// paired region; and a journal in Cosmos DB, deployed by a module, replicated to every region
// the journal module is given.
@description('Where Communication Services keeps message data')
param dataLocation string = 'United States'

param location string = resourceGroup().location

param journalRegions array = [
  'westeurope'
  'northeurope'
]

var prefix = 'examplemail'

resource email 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: '${prefix}-email'
  location: 'global'
  properties: {
    dataLocation: dataLocation
  }
}

resource archive 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: '${prefix}archive'
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_RAGRS'
  }
  tags: {
    'data-class': 'mailbox'
  }
}

module journal 'modules/journal.bicep' = {
  name: 'journal'
  params: {
    name: '${prefix}-journal'
    regions: journalRegions
  }
}
