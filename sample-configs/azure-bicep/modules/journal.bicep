param name string
param regions array

resource journal 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: name
  location: regions[0]
  tags: {
    'data-class': 'mailbox'
  }
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [for (region, i) in regions: {
      locationName: region
      failoverPriority: i
    }]
  }
}
